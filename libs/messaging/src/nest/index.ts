export * from './bus.context';
export * from './bus.server';
export * from './bus.client';
export * from './bus-exception.filter';
export * from './command-validation.pipe';
