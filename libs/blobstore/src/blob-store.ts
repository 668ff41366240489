import { Readable } from 'node:stream';

/** A stored blob, named by the sha256 of its bytes. */
export interface StoredBlob {
  key: string;
  size: number;
}

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP ranges. */
  end: number;
}

/**
 * Where layers live. Content-addressed: a blob's key is the sha256 (hex) of its bytes. A blob is
 * visible only once every byte arrived; an upload that fails leaves nothing behind; two uploads of
 * the same bytes at once both succeed and leave one blob.
 */
export interface BlobStore {
  /** Stores the stream; `observe` sees every chunk on the way (for other digests). */
  put(source: Readable, observe?: (chunk: Buffer) => void): Promise<StoredBlob>;
  /** The blob's size, or undefined when there is no such blob. */
  size(key: string): Promise<number | undefined>;
  /** The blob's bytes (a range of them when given), streamed. */
  get(key: string, range?: ByteRange): Promise<Readable>;
}

export const BLOB_KEY = /^[a-f0-9]{64}$/;
