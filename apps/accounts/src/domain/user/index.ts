export * from './username';
export * from './email';
export * from './password';
export * from './user.events';
export * from './user.state';
export * from './user.decide';
export * from './reserved-names';
