export * from './message-bus';
export * from './command-envelope';
export * from './in-process.bus';
export * from './kafka.bus';
export * from './nest';
export * from './outage';
