import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem.blob-store';
import { S3BlobStore } from './s3.blob-store';
import { SmallBlobCache } from './small-blob-cache';
import { blobStoreFromEnvironment } from './blob-store.config';

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const chunked = (bytes: Buffer, size = 64 * 1024) =>
  Readable.from((function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  })());
/** A stream that fails after `after` bytes, like a connection cut mid-layer. */
const failing = (bytes: Buffer, after: number) =>
  new Readable({
    read() {
      this.push(bytes.subarray(0, after));
      this.destroy(new Error('connection reset'));
    },
  });

/** What every blob store promises (the filesystem one and the S3 one pass the same tests). */
function describeBlobStore(name: string, make: () => Promise<{ store: BlobStore; listed: () => Promise<string[]> }>) {
  describe(`blob store: ${name}`, () => {
    let store: BlobStore;
    let listed: () => Promise<string[]>;
    beforeAll(async () => {
      ({ store, listed } = await make());
    });

    it('stores a stream under the sha256 of its bytes and streams it back, whole or by range', async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      const seen: Buffer[] = [];
      const blob = await store.put(chunked(bytes), (chunk) => seen.push(chunk));
      expect(blob).toEqual({ key: sha(bytes), size: bytes.length });
      expect(Buffer.concat(seen).equals(bytes)).toBe(true);
      expect(await store.size(blob.key)).toBe(bytes.length);
      expect((await read(await store.get(blob.key))).equals(bytes)).toBe(true);
      expect((await read(await store.get(blob.key, { start: 100, end: 199 }))).equals(bytes.subarray(100, 200))).toBe(true);
    });

    it('knows nothing of a key it does not hold', async () => {
      expect(await store.size('0'.repeat(64))).toBeUndefined();
      expect(await store.size('not-a-key')).toBeUndefined();
      await expect(store.get('0'.repeat(64))).rejects.toBeDefined();
    });

    it('a broken upload leaves nothing visible, and the next try succeeds', async () => {
      const bytes = randomBytes(512 * 1024);
      const before = await listed();
      await expect(store.put(failing(bytes, 100 * 1024))).rejects.toThrow();
      expect(await store.size(sha(bytes))).toBeUndefined();
      expect(await listed()).toEqual(before);
      expect((await store.put(chunked(bytes))).key).toBe(sha(bytes));
    });

    it('concurrent uploads of the same bytes both succeed and leave one blob', async () => {
      const bytes = randomBytes(1024 * 1024);
      const results = await Promise.all([1, 2, 3].map(() => store.put(chunked(bytes, 8192))));
      expect(new Set(results.map((r) => r.key))).toEqual(new Set([sha(bytes)]));
      expect((await listed()).filter((k) => k === sha(bytes))).toHaveLength(1);
      expect((await read(await store.get(sha(bytes)))).equals(bytes)).toBe(true);
    });
  });
}

/** The files a filesystem store under `root` holds: blobs, and uploads in progress. */
const filesUnder = (root: string) => async () => {
  const dirs = (() => {
    try {
      return readdirSync(join(root, 'sha256'));
    } catch {
      return [];
    }
  })();
  const uploads = (() => {
    try {
      return readdirSync(join(root, 'uploads'));
    } catch {
      return [];
    }
  })();
  return [...dirs.flatMap((d) => readdirSync(join(root, 'sha256', d))), ...uploads.map((u) => `uploads/${u}`)].sort();
};

describeBlobStore('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  return { store: new FilesystemBlobStore(root), listed: filesUnder(root) };
});

// The cache in front of a store keeps every promise of the store (3 MiB blobs pass through it).
describeBlobStore('filesystem behind the small-blob cache', async () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  const cache = new SmallBlobCache(new FilesystemBlobStore(root), { maxBytes: 1024 * 1024, maxBlobBytes: 64 * 1024 });
  return { store: cache, listed: filesUnder(root) };
});

describe('small-blob cache', () => {
  function cached(options = { maxBytes: 64 * 1024, maxBlobBytes: 16 * 1024 }) {
    const store = new FilesystemBlobStore(mkdtempSync(join(tmpdir(), 'blobs-')));
    const reads = jest.spyOn(store, 'get');
    return { store, reads, cache: new SmallBlobCache(store, options) };
  }

  it('a small blob is read from the store once, then served from memory, whole or by range', async () => {
    const { reads, cache } = cached();
    const bytes = randomBytes(5000);
    const { key } = await cache.put(chunked(bytes));
    expect(await read(await cache.get(key))).toEqual(bytes);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(await read(await cache.get(key))).toEqual(bytes);
    expect(await read(await cache.get(key, { start: 100, end: 199 }))).toEqual(bytes.subarray(100, 200));
    expect(await cache.size(key)).toBe(5000);
    expect(reads).toHaveBeenCalledTimes(1);
  });

  it('concurrent first reads of one blob all get its bytes, and later reads none from the store', async () => {
    const { reads, cache } = cached();
    const bytes = randomBytes(9000);
    const { key } = await cache.put(chunked(bytes));
    const all = await Promise.all(Array.from({ length: 8 }, async (_, i) => read(await cache.get(key, i % 2 ? { start: 10, end: 19 } : undefined))));
    all.forEach((got, i) => expect(got).toEqual(i % 2 ? bytes.subarray(10, 20) : bytes));
    const before = reads.mock.calls.length;
    expect(await read(await cache.get(key))).toEqual(bytes);
    expect(reads).toHaveBeenCalledTimes(before);
  });

  it('a large blob streams from the store every time and is never held', async () => {
    const { reads, cache } = cached();
    const bytes = randomBytes(16 * 1024 + 1);
    const { key } = await cache.put(chunked(bytes));
    for (let i = 0; i < 3; i++) expect(await read(await cache.get(key))).toEqual(bytes);
    expect(await read(await cache.get(key, { start: 16 * 1024, end: 16 * 1024 }))).toEqual(bytes.subarray(16 * 1024));
    expect(reads).toHaveBeenCalledTimes(4);
  });

  it('holds no more than its bytes: the least recently read blob goes first', async () => {
    const { reads, cache } = cached({ maxBytes: 20_000, maxBlobBytes: 16 * 1024 });
    const blobs = [randomBytes(8000), randomBytes(8000), randomBytes(8000)];
    const keys: string[] = [];
    for (const bytes of blobs) keys.push((await cache.put(chunked(bytes))).key);
    for (const key of keys) await read(await cache.get(key)); // the third pushes the first out
    expect(reads).toHaveBeenCalledTimes(3);
    expect(await read(await cache.get(keys[2]))).toEqual(blobs[2]);
    expect(reads).toHaveBeenCalledTimes(3);
    expect(await read(await cache.get(keys[0]))).toEqual(blobs[0]);
    expect(reads).toHaveBeenCalledTimes(4);
  });

  it('an unknown key is refused as the store refuses it, and nothing is remembered of it', async () => {
    const { store, cache } = cached();
    const unknown = sha(Buffer.from('never stored'));
    await expect(cache.get(unknown)).rejects.toThrow();
    expect(await cache.size(unknown)).toBeUndefined();
    const { key } = await store.put(chunked(Buffer.from('never stored')));
    expect(key).toBe(unknown);
    expect((await read(await cache.get(key))).toString()).toBe('never stored');
  });
});

describe('blobStoreFromEnvironment', () => {
  it('puts the small-blob cache in front of the store unless DOCKYARD_SMALL_BLOB_CACHE_BYTES is 0; refuses a size that is not bytes', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'data-'));
    expect(blobStoreFromEnvironment(dataDir, {})).toBeInstanceOf(SmallBlobCache);
    expect(blobStoreFromEnvironment(dataDir, { DOCKYARD_SMALL_BLOB_CACHE_BYTES: '0' })).toBeInstanceOf(FilesystemBlobStore);
    for (const wrong of ['lots', '-1', '1.5']) {
      expect(() => blobStoreFromEnvironment(dataDir, { DOCKYARD_SMALL_BLOB_CACHE_BYTES: wrong })).toThrow(/DOCKYARD_SMALL_BLOB_CACHE_BYTES/);
    }
  });
});

describe('S3', () => {
  // An S3-compatible server started by the test itself.
  const S3rver = require('s3rver');
  let server: { run(): Promise<{ port: number }>; close(): Promise<void> };
  let port = 0;
  beforeAll(async () => {
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: mkdtempSync(join(tmpdir(), 's3rver-')), configureBuckets: [{ name: 'layers' }] });
    ({ port } = await server.run());
  });
  afterAll(async () => {
    await server?.close();
  });

  describeBlobStore('S3-compatible (s3rver)', async () => {
    const options = { bucket: 'layers', endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    const store = new S3BlobStore(options);
    const { S3Client, ListObjectsV2Command } = require('@aws-sdk/client-s3');
    const client = new S3Client({ ...options, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const listed = async () => {
      const { Contents = [] } = await client.send(new ListObjectsV2Command({ Bucket: 'layers' }));
      return (Contents as { Key: string }[]).map((c) => c.Key.replace(/^sha256\//, '')).sort();
    };
    return { store, listed };
  });
});
