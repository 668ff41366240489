import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BLOB_KEY, BlobStore, ByteRange, StoredBlob } from './blob-store';

const UPLOAD_BUFFER_BYTES = 1 << 20;

/**
 * Blobs on the local disk under `<root>/sha256/<ab>/<hex>`. Bytes stream into `<root>/uploads/` and
 * are renamed into place once complete (rename is atomic on one filesystem), so a reader never sees
 * a partial blob and a failed upload only leaves a temporary file that is removed.
 */
export class FilesystemBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    if (!BLOB_KEY.test(key)) throw new Error('invalid blob key');
    return join(this.root, 'sha256', key.slice(0, 2), key);
  }

  async put(source: Readable, observe?: (chunk: Buffer) => void): Promise<StoredBlob> {
    const uploads = join(this.root, 'uploads');
    await mkdir(uploads, { recursive: true });
    const temporary = join(uploads, randomUUID());
    const sha256 = createHash('sha256');
    let size = 0;
    const digest = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sha256.update(chunk);
        observe?.(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    // Created before the bytes flow: a write stream opening the file itself could create it after a
    // failed upload's cleanup had already run (an upload that broke early left an empty file).
    const file = await open(temporary, 'w');
    try {
      // Up to 1 MiB waits for the disk while the socket goes on being read (and is written in one
      // writev): at the 16 KiB default each 64 KiB socket read stopped the upload until its write was done.
      await pipeline(source, digest, file.createWriteStream({ highWaterMark: UPLOAD_BUFFER_BYTES }));
      const key = sha256.digest('hex');
      const target = this.path(key);
      await mkdir(join(target, '..'), { recursive: true });
      await rename(temporary, target);
      return { key, size };
    } catch (error) {
      await file.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async size(key: string): Promise<number | undefined> {
    if (!BLOB_KEY.test(key)) return undefined;
    return stat(this.path(key)).then(
      (s) => s.size,
      () => undefined,
    );
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    const { size } = await stat(path);
    // Reads of up to 1 MiB: a big layer is sent in a sixteenth of the socket writes and event-loop
    // turns of the 64 KiB default; a small one gets a buffer its own size (each read allocates one).
    const highWaterMark = Math.max(16 * 1024, Math.min(1 << 20, size));
    return createReadStream(path, { highWaterMark, ...(range && { start: range.start, end: range.end }) });
  }
}
