export * from './event-store.types';
export * from './event-store';
export * from './append-to-stream';
export * from './event-store.migrations';
export * from './hash-chain';
export * from './canonical-json';
export * from './outbox-relay';
export * from './consumer-checkpoint';
