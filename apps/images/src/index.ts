export * from './images.module';
