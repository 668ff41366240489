export * from './repository-token';
