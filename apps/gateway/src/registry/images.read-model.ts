import { Pool } from 'pg';

export interface ImageView {
  imageId: string;
  parent: string | null;
  json: string;
  blobKey: string | null;
  size: number | null;
  checksum: string | null;
  payloadChecksum: string | null;
  complete: boolean;
}

/** Queries on read.images and on which repositories hold an image. */
export class ImagesReadModel {
  constructor(private readonly pool: Pool) {}

  async find(imageId: string): Promise<ImageView | undefined> {
    const { rows } = await this.pool.query(
      `SELECT image_id, parent, json, blob_key, size, checksum, payload_checksum, complete FROM read.images WHERE image_id = $1`,
      [imageId],
    );
    const row = rows[0];
    return (
      row && {
        imageId: row.image_id,
        parent: row.parent,
        json: row.json,
        blobKey: row.blob_key,
        size: row.size === null ? null : Number(row.size),
        checksum: row.checksum,
        payloadChecksum: row.payload_checksum,
        complete: row.complete,
      }
    );
  }

  /** The image and its parents, the image first (what `GET .../ancestry` answers). */
  async ancestry(imageId: string): Promise<string[]> {
    const { rows } = await this.pool.query(
      `WITH RECURSIVE chain(image_id, parent, depth) AS (
         SELECT image_id, parent, 0 FROM read.images WHERE image_id = $1
         UNION ALL
         SELECT i.image_id, i.parent, c.depth + 1 FROM read.images i JOIN chain c ON i.image_id = c.parent WHERE c.depth < 1000)
       SELECT image_id FROM chain ORDER BY depth`,
      [imageId],
    );
    return rows.map((r) => r.image_id);
  }

  /**
   * Whether some repository holding the image lets this caller in: `public` (anyone), `namespace`
   * (the caller's own), or any repository at all (admins).
   */
  async heldBy(imageId: string, filter: { publicOk: boolean; namespace?: string; any?: boolean }): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM read.repository_images ri JOIN read.repositories r USING (repository_id)
       WHERE ri.image_id = $1 AND ($2 OR ($3 AND r.is_public) OR r.namespace = $4) LIMIT 1`,
      [imageId, filter.any === true, filter.publicOk, filter.namespace ?? null],
    );
    return (rowCount ?? 0) > 0;
  }

  async inRepository(imageId: string, repositoryId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'SELECT 1 FROM read.repository_images WHERE repository_id = $1 AND image_id = $2',
      [repositoryId, imageId],
    );
    return (rowCount ?? 0) > 0;
  }
}
