export * from './star.events';
export * from './star.state';
export * from './star.decide';
