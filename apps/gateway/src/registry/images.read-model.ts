import { Pool } from 'pg';
import { HOT } from '../hot/hot-keys';
import { HotReads } from '../hot/hot-reads';
import { MountCandidate } from './mount-source';

export interface ImageView {
  namespace: string;
  imageId: string;
  parent: string | null;
  json: string;
  blobKey: string | null;
  size: number | null;
  checksum: string | null;
  payloadChecksum: string | null;
  complete: boolean;
}

/**
 * Who reads: `any` (admins read every repository), `own` (the namespace whose private repositories
 * the caller may read, null for none); public repositories are readable by everyone.
 */
export interface Reader {
  any: boolean;
  own: string | null;
}

// A repository of the copy's namespace lists the id, and the reader may read that repository.
// A copy is its namespace's, or in an organization its repository's (`org/name`): listed by a
// repository of that namespace, or by that very repository.
const READABLE_COPY = `EXISTS (SELECT 1 FROM read.repository_images ri JOIN read.repositories r USING (repository_id)
  WHERE ri.image_id = i.image_id AND (i.namespace = r.namespace OR i.namespace = r.namespace || '/' || r.name)
    AND ($2 OR r.is_public OR r.namespace = $3))`;

/**
 * Queries on read.images (one row per namespace's copy of an id) and on the repositories that list
 * them. An image's row and its ancestry (what a pull reads per layer) go through the hot view when
 * one is given; who may read the copy is decided per request as before (ImageAccess).
 */
export class ImagesReadModel {
  constructor(
    private readonly pool: Pool,
    private readonly hot?: HotReads,
  ) {}

  /** The namespace's copy of the image; `since`: the instant (a request's arrival) whose earlier changes it shows (HotView.read). */
  find(namespace: string, imageId: string, since?: number): Promise<ImageView | undefined> {
    const load = () => this.findRow(namespace, imageId);
    return this.hot ? this.hot.read(HOT.image(namespace, imageId), load, undefined, since) : load();
  }

  private async findRow(namespace: string, imageId: string): Promise<ImageView | undefined> {
    const { rows } = await this.pool.query(
      `SELECT namespace, image_id, parent, json, blob_key, size, checksum, payload_checksum, complete
       FROM read.images WHERE namespace = $1 AND image_id = $2`,
      [namespace, imageId],
    );
    const row = rows[0];
    return (
      row && {
        namespace: row.namespace,
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

  /** The image and its parents within one namespace, the image first (what `GET .../ancestry` answers). */
  ancestry(namespace: string, imageId: string, since?: number): Promise<string[]> {
    const load = () => this.ancestryRows(namespace, imageId);
    // Any change to the namespace's images may change a chain through them (not only the first image's).
    return this.hot ? this.hot.read(HOT.ancestry(namespace, imageId), load, () => [HOT.namespaceImages(namespace)], since) : load();
  }

  private async ancestryRows(namespace: string, imageId: string): Promise<string[]> {
    return (await this.parentChain(namespace, imageId)).map((link) => link.image_id);
  }

  /** Whether the parent chain from `start` in a namespace reaches `target` (as an image, or as the parent the chain ends on). */
  async chainReaches(namespace: string, start: string, target: string): Promise<boolean> {
    return (await this.parentChain(namespace, start)).some((link) => link.image_id === target || link.parent === target);
  }

  /**
   * The image and its parents within one namespace's copies, the image first. Stops at an id already
   * in the chain: a cycle stored by a race (see the json route) ends the list instead of repeating
   * it up to the depth limit.
   */
  private async parentChain(namespace: string, imageId: string): Promise<{ image_id: string; parent: string | null }[]> {
    const { rows } = await this.pool.query(
      `WITH RECURSIVE chain(image_id, parent, depth, seen) AS (
         SELECT image_id, parent, 0, ARRAY[image_id] FROM read.images WHERE namespace = $1 AND image_id = $2
         UNION ALL
         SELECT i.image_id, i.parent, c.depth + 1, c.seen || i.image_id FROM read.images i JOIN chain c ON i.namespace = $1 AND i.image_id = c.parent
         WHERE c.depth < 1000 AND i.image_id <> ALL(c.seen))
       SELECT image_id, parent FROM chain ORDER BY depth`,
      [namespace, imageId],
    );
    return rows;
  }

  /**
   * For reads without a repository context (Basic or anonymous): the namespace whose copy to serve,
   * among copies the reader may read through a repository of their namespace. Complete copies first,
   * then the reader's own namespace, then `library`, then the earliest stored.
   */
  async readableCopy(imageId: string, reader: Reader): Promise<string | undefined> {
    const { rows } = await this.pool.query(
      `SELECT i.namespace FROM read.images i WHERE i.image_id = $1 AND ${READABLE_COPY}
       ORDER BY i.complete DESC, i.namespace = $3 DESC, i.namespace = 'library' DESC, i.stored_at LIMIT 1`,
      [imageId, reader.any, reader.own],
    );
    return rows[0]?.namespace;
  }

  /**
   * The copies `target` might mount `imageId` from (see `chooseMountSource`): other namespaces'
   * complete copies whose json is byte-identical to `json` and which the reader may read now, each
   * with whether `pusher` was served that very copy (read.image_fetches).
   */
  async mountCandidates(imageId: string, json: string, reader: Reader, target: string, pusher: string | null): Promise<MountCandidate[]> {
    const { rows } = await this.pool.query(
      `SELECT i.namespace, i.blob_key, i.stored_at,
         EXISTS (SELECT 1 FROM read.image_fetches f WHERE f.username = $6 AND f.namespace = i.namespace AND f.image_id = i.image_id) AS fetched
       FROM read.images i
       WHERE i.image_id = $1 AND i.complete AND i.blob_key IS NOT NULL AND i.json = $4 AND i.namespace <> $5 AND ${READABLE_COPY}`,
      [imageId, reader.any, reader.own, json, target, pusher],
    );
    return rows.map((r) => ({ namespace: r.namespace, blobKey: r.blob_key, fetched: r.fetched === true, storedAt: Number(r.stored_at) }));
  }

  /** Whether a repository of `namespace` lists the image. */
  async listedIn(namespace: string, imageId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM read.repository_images ri JOIN read.repositories r USING (repository_id)
       WHERE ri.image_id = $1 AND r.namespace = $2 LIMIT 1`,
      [imageId, namespace],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Whether an active user is an admin (a token names its user, not their rights). */
  async isAdmin(username: string): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT admin FROM read.users WHERE username = $1 AND active', [username]);
    return rows[0]?.admin === true;
  }
}
