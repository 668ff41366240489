export * from './projector.module';
export * from './projection-consumers';
