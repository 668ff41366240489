import { join } from 'node:path';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem.blob-store';
import { S3BlobStore } from './s3.blob-store';
import { SmallBlobCache } from './small-blob-cache';

/** Blobs up to this size are kept in memory by the small-blob cache. */
export const SMALL_BLOB_BYTES = 256 * 1024;
const DEFAULT_SMALL_BLOB_CACHE_BYTES = 64 * 1024 * 1024;

/** DOCKYARD_SMALL_BLOB_CACHE_BYTES: how many bytes of small blobs a gateway keeps in memory (0: none). */
export const smallBlobCacheBytes = (env: NodeJS.ProcessEnv = process.env): number => {
  const bytes = Number(env.DOCKYARD_SMALL_BLOB_CACHE_BYTES ?? DEFAULT_SMALL_BLOB_CACHE_BYTES);
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error('DOCKYARD_SMALL_BLOB_CACHE_BYTES: not a whole number of bytes');
  return bytes;
};

/**
 * The filesystem under the data folder by default, S3 when DOCKYARD_S3_BUCKET is set; behind the
 * small-blob cache (SmallBlobCache) unless DOCKYARD_SMALL_BLOB_CACHE_BYTES is 0.
 */
export function blobStoreFromEnvironment(dataDir: string, env: NodeJS.ProcessEnv = process.env): BlobStore {
  const store = blobStoreOf(dataDir, env);
  const maxBytes = smallBlobCacheBytes(env);
  return maxBytes > 0 ? new SmallBlobCache(store, { maxBytes, maxBlobBytes: SMALL_BLOB_BYTES }) : store;
}

function blobStoreOf(dataDir: string, env: NodeJS.ProcessEnv): BlobStore {
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
