export * from './blob-store';
export * from './filesystem.blob-store';
export * from './s3.blob-store';
export * from './small-blob-cache';
export * from './blob-store.config';
