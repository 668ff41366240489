export * from './token-keys';
export * from './token-key-file';
