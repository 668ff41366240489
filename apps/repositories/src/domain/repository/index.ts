export * from './repository-name';
export * from './repository-metadata';
export * from './repository.events';
export * from './repository.state';
export * from './repository.decide';
