import { join } from 'node:path';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem.blob-store';
import { S3BlobStore } from './s3.blob-store';

/** The filesystem under the data folder by default; S3 when DOCKYARD_S3_BUCKET is set. */
export function blobStoreFromEnvironment(dataDir: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  if (env.DOCKYARD_S3_BUCKET) {
    return new S3BlobStore({
      bucket: env.DOCKYARD_S3_BUCKET,
      endpoint: env.DOCKYARD_S3_ENDPOINT || undefined,
      region: env.DOCKYARD_S3_REGION || undefined,
      accessKeyId: env.DOCKYARD_S3_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.DOCKYARD_S3_SECRET_ACCESS_KEY || undefined,
      prefix: env.DOCKYARD_S3_PREFIX || '',
    });
  }
  return new FilesystemBlobStore(join(dataDir, 'blobs'));
}
