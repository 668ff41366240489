export * from './image-id';
export * from './repository-images.events';
export * from './repository-images.state';
export * from './repository-images.decide';
