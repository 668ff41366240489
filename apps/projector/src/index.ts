export * from './projector.module';
export * from './projection-consumers';
export * from './audit/audit.module';
