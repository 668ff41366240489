export * from './repositories.module';
