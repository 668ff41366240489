import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { BlobStore } from './blob-store';
import { FilesystemBlobStore } from './filesystem.blob-store';
import { S3BlobStore } from './s3.blob-store';

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

describeBlobStore('filesystem', async () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  const store = new FilesystemBlobStore(root);
  const listed = async () => {
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
  return { store, listed };
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
