export * from './test-database';
export * from './wait-until';
export * from './service-harness';
export * from './domain-error-code';
export * from './promise-hooks';
export * from './free-port';
