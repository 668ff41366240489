import { createHash, randomUUID } from 'node:crypto';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Readable } from 'node:stream';
import { BLOB_KEY, BlobStore, ByteRange, StoredBlob } from './blob-store';

export interface S3BlobStoreOptions {
  bucket: string;
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers want. */
  forcePathStyle?: boolean;
  prefix?: string;
}

/**
 * Blobs in an S3-compatible bucket at `<prefix>sha256/<hex>`. S3 has no rename: bytes stream into
 * `<prefix>uploads/<uuid>` (multipart, never whole in memory), are copied to their content address
 * once complete, and the temporary object is deleted. A failed upload is aborted and leaves nothing
 * under `sha256/`.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.prefix = options.prefix ?? '';
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      forcePathStyle: options.forcePathStyle ?? true,
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
      // Plain S3-compatible servers do not know the newer flexible checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(key: string): string {
    if (!BLOB_KEY.test(key)) throw new Error('invalid blob key');
    return `${this.prefix}sha256/${key}`;
  }

  async put(source: Readable, observe?: (chunk: Buffer) => void): Promise<StoredBlob> {
    const temporary = `${this.prefix}uploads/${randomUUID()}`;
    const sha256 = createHash('sha256');
    let size = 0;
    const body = new PassThrough();
    source.on('data', (chunk: Buffer) => {
      sha256.update(chunk);
      observe?.(chunk);
      size += chunk.length;
    });
    source.on('error', (error) => body.destroy(error));
    source.on('close', () => {
      if (!source.readableEnded) body.destroy(new Error('upload aborted'));
    });
    source.pipe(body);
    const upload = new Upload({ client: this.client, params: { Bucket: this.options.bucket, Key: temporary, Body: body } });
    try {
      await upload.done();
      if (!source.readableEnded) throw new Error('upload ended early');
    } catch (error) {
      await upload.abort().catch(() => undefined);
      await this.remove(temporary);
      throw error;
    }
    const key = sha256.digest('hex');
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.options.bucket,
          CopySource: `${this.options.bucket}/${temporary}`,
          Key: this.key(key),
        }),
      );
    } finally {
      await this.remove(temporary);
    }
    return { key, size };
  }

  async size(key: string): Promise<number | undefined> {
    if (!BLOB_KEY.test(key)) return undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return head.ContentLength;
    } catch {
      return undefined;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const object = await this.client.send(
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.key(key),
        Range: range && `bytes=${range.start}-${range.end}`,
      }),
    );
    return object.Body as Readable;
  }

  private async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key })).catch(() => undefined);
  }
}
