export * from './hub-config';
export * from './hub-runtime';
export * from './logger';
export * from './embedded-postgres';
export * from './service-process';
export * from './service-store';
export * from './process-guard';
export * from './execute-once';
