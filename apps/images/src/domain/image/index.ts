export * from './image-ref';
export * from './image.events';
export * from './image.state';
export * from './image.decide';
