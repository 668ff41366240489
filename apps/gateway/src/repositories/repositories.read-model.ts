import { Pool } from 'pg';
import { IndexImage } from '@dockyard/contracts';
import { Principal } from '../auth/authenticator';
import { HOT } from '../hot/hot-keys';
import { HotReads } from '../hot/hot-reads';
import { READABLE_BY_USER } from '../organizations/organizations.read-model';

export interface RepositoryView {
  repositoryId: string;
  namespace: string;
  name: string;
  kind: string;
  description: string;
  fullDescription: string;
  isPublic: boolean;
  logo: string;
  starCount: number;
  downloadCount: number;
  uploadCount: number;
  pulledAt: Date | null;
  pushedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const COLUMNS = `repository_id, namespace, name, kind, description, full_description, is_public, logo, star_count,
  download_count, upload_count, pulled_at, pushed_at, created_at, updated_at`;

export const toView = (row: Record<string, any>): RepositoryView => ({
  repositoryId: row.repository_id,
  namespace: row.namespace,
  name: row.name,
  kind: row.kind,
  description: row.description,
  fullDescription: row.full_description,
  isPublic: row.is_public,
  logo: row.logo,
  starCount: row.star_count,
  downloadCount: Number(row.download_count),
  uploadCount: Number(row.upload_count),
  pulledAt: row.pulled_at,
  pushedAt: row.pushed_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/**
 * Queries on the repository read models; every one is an indexed lookup or a bounded range. The
 * pull's lookups (a repository by name, its image list, its tags) go through the hot view when one
 * is given: rows only — who may read them is still decided per request by the callers.
 */
export class RepositoriesReadModel {
  constructor(
    private readonly pool: Pool,
    private readonly hot?: HotReads,
  ) {}

  /**
   * The repository's row. `since` (here and in `images`, `tags`): the instant (a request's arrival)
   * whose earlier changes the answer shows (HotView.read); by default, the call.
   */
  async find(namespace: string, name: string, since?: number): Promise<RepositoryView | undefined> {
    const load = async () => {
      const { rows } = await this.pool.query(`SELECT ${COLUMNS} FROM read.repositories WHERE namespace = $1 AND name = $2`, [
        namespace,
        name,
      ]);
      return rows[0] && (this.hot ? this.hot.counters.merge(toView(rows[0])) : toView(rows[0]));
    };
    if (!this.hot) return load();
    return this.hot.read(
      HOT.repositoryByName(namespace, name),
      load,
      (row) => [HOT.repository(row.repositoryId), HOT.repositoryCounters(row.repositoryId)],
      since,
    );
  }

  /** A namespace's repositories by name; private ones only those `viewer` may read. */
  async list(
    namespace: string,
    viewer: Principal | null,
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: RepositoryView[] }> {
    // READABLE_BY_USER names the viewer as $1; `$1::text IS NOT NULL` gives $1 its type when
    // nothing else uses it (anonymous, admin): PostgreSQL refuses a parameter of unknown type.
    const visible = viewer?.admin ? '' : `AND ${viewer ? READABLE_BY_USER : 'r.is_public'}`;
    const params = [viewer?.username ?? '', namespace];
    const [count, page] = await Promise.all([
      this.pool.query(`SELECT count(*)::int AS n FROM read.repositories r WHERE $1::text IS NOT NULL AND namespace = $2 ${visible}`, params),
      this.pool.query(
        `SELECT ${COLUMNS} FROM read.repositories r WHERE $1::text IS NOT NULL AND namespace = $2 ${visible} ORDER BY name OFFSET $3 LIMIT $4`,
        [...params, offset, limit],
      ),
    ]);
    return { count: count.rows[0].n, results: page.rows.map(toView) };
  }

  images(repositoryId: string, since?: number): Promise<IndexImage[]> {
    return this.listOf(HOT.imageList(repositoryId), repositoryId, 'SELECT image_id AS id, checksum FROM read.repository_images WHERE repository_id = $1 ORDER BY added_at', since);
  }

  tags(repositoryId: string, since?: number): Promise<{ tag: string; imageId: string }[]> {
    return this.listOf(HOT.tags(repositoryId), repositoryId, 'SELECT tag, image_id AS "imageId" FROM read.tags WHERE repository_id = $1 ORDER BY tag', since);
  }

  /** One of a repository's lists (what its images or its repository's events change). */
  private async listOf<T>(key: string, repositoryId: string, sql: string, since?: number): Promise<T[]> {
    const load = async () => (await this.pool.query(sql, [repositoryId])).rows as T[];
    if (!this.hot) return load();
    return this.hot.read(key, load, () => [HOT.repository(repositoryId), HOT.repositoryLists(repositoryId)], since);
  }
}
