import { Pool } from 'pg';
import { READABLE_BY_USER } from '../organizations/organizations.read-model';
import { COLUMNS, RepositoryView, toView } from '../repositories/repositories.read-model';

/** Queries on read.stars: the repositories a user starred, newest star first. */
export class StarsReadModel {
  constructor(private readonly pool: Pool) {}

  async isStarred(username: string, repositoryId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM read.stars WHERE username = $1 AND repository_id = $2', [username, repositoryId]);
    return (rowCount ?? 0) > 0;
  }

  /** `withReadable`: the list's owner is asking, so what it may read shows too; else public ones only. */
  async starredBy(
    username: string,
    withReadable: boolean,
    offset: number,
    limit: number,
  ): Promise<{ count: number; results: RepositoryView[] }> {
    // READABLE_BY_USER names the user as $1, who is also the starrer.
    const visible = withReadable ? READABLE_BY_USER : 'r.is_public';
    const from = `FROM read.stars s JOIN read.repositories r USING (repository_id) WHERE s.username = $1 AND ${visible}`;
    const [count, page] = await Promise.all([
      this.pool.query(`SELECT count(*)::int AS n ${from}`, [username]),
      this.pool.query(
        `SELECT ${COLUMNS.split(',').map((c) => `r.${c.trim()}`).join(', ')} ${from}
         ORDER BY s.starred_at DESC, r.namespace, r.name OFFSET $2 LIMIT $3`,
        [username, offset, limit],
      ),
    ]);
    return { count: count.rows[0].n, results: page.rows.map(toView) };
  }
}
