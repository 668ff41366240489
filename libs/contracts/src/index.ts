export * from './event-envelope';
export * from './topics';
export * from './domain-error';
export * from './accounts/accounts.events';
export * from './accounts/accounts.commands';
export * from './read-models';
