import { Readable } from 'node:stream';
import { LRUCache } from 'lru-cache';
import { BlobStore, ByteRange, StoredBlob } from './blob-store';

/** What the cache knows of a blob: its bytes, or only that it is too big to keep (and its size). */
type Known = Buffer | { tooBig: number };

export interface SmallBlobCacheOptions {
  /** The most bytes kept in all. */
  maxBytes: number;
  /** The largest blob kept. */
  maxBlobBytes: number;
}

/** The room a "too big" marker takes in the count: a key and a number. */
const MARKER_BYTES = 128;

/**
 * Keeps small blobs in memory in front of a store. Blobs are content-addressed and never change
 * (a key is the sha256 of the bytes), so a copy kept here can never be stale and needs no
 * invalidation. Docker 1.x images carry a layer per Dockerfile step, most of them tiny (an `ENV`
 * or `CMD` step is an empty tar), and every pull reads each one: from memory that is no file
 * opened, read and closed (or an S3 GET) per layer per pull. Large blobs stream from the store as
 * before; the cache remembers only that they are large, so it asks their size once.
 */
export class SmallBlobCache implements BlobStore {
  private readonly known: LRUCache<string, Known>;

  constructor(
    private readonly store: BlobStore,
    private readonly options: SmallBlobCacheOptions,
  ) {
    this.known = new LRUCache<string, Known>({
      maxSize: options.maxBytes,
      sizeCalculation: (known) => (Buffer.isBuffer(known) ? Math.max(1, known.length) : MARKER_BYTES),
    });
  }

  put(source: Readable, observe?: (chunk: Buffer) => void): Promise<StoredBlob> {
    return this.store.put(source, observe);
  }

  async size(key: string): Promise<number | undefined> {
    const known = this.known.get(key);
    if (known) return Buffer.isBuffer(known) ? known.length : known.tooBig;
    return this.store.size(key);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const known = this.known.get(key) ?? (await this.learn(key));
    if (!known || !Buffer.isBuffer(known)) return this.store.get(key, range);
    const bytes = range ? known.subarray(range.start, range.end + 1) : known;
    return Readable.from([bytes], { objectMode: false });
  }

  /** Reads a blob small enough to keep; marks a larger one. Undefined for no such blob (the store then says so). */
  private async learn(key: string): Promise<Known | undefined> {
    const size = await this.store.size(key);
    if (size === undefined) return undefined;
    if (size > this.options.maxBlobBytes) {
      const marker = { tooBig: size };
      this.known.set(key, marker);
      return marker;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.get(key)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    // Bytes that do not match the size the store gave are not kept nor served: the store answers
    // the request itself, as it would without the cache.
    if (bytes.length !== size) return undefined;
    this.known.set(key, bytes);
    return bytes;
  }
}
