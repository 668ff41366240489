export * from './organization.events';
export * from './organization.state';
export * from './organization.decide';
export * from './team-name';
