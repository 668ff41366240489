import { Pool } from 'pg';
import { Principal } from '../auth/authenticator';
import { READABLE_BY_USER } from '../organizations/organizations.read-model';

export interface SearchHit {
  name: string;
  description: string;
  starCount: number;
  pullCount: number;
  official: boolean;
}

/** `LIKE` treats `%`, `_` and `\` specially; a search term means them literally. */
const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Case-insensitive substring search over read.repositories' full names (`namespace/name`) and
 * descriptions, served by the trigram indexes of the search migration. Ranked: exact name (the
 * full name or the repository name), then a name starting with the term, then other name
 * matches, then description matches; within each by stars, then pulls, then name (a stable page
 * order).
 */
export class SearchReadModel {
  constructor(private readonly pool: Pool) {}

  async search(
    term: string,
    caller: Principal | null,
    offset: number,
    limit: number,
  ): Promise<{ total: number; hits: SearchHit[] }> {
    const exact = term.toLowerCase();
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    // READABLE_BY_USER names the caller as $1; an admin reads everything.
    let visible = 'r.is_public';
    if (caller?.admin) visible = 'true';
    else if (caller) visible = param(caller.username) === '$1' ? READABLE_BY_USER : 'false';
    const contains = param(`%${likeLiteral(exact)}%`);
    const matches = `FROM read.repositories r
      WHERE ((r.namespace || '/' || r.name) LIKE ${contains} OR r.description ILIKE ${contains}) AND ${visible}`;
    const filterParams = [...params];
    const same = param(exact);
    const prefix = param(`${likeLiteral(exact)}%`);
    const { rows } = await this.pool.query(
      `SELECT r.namespace, r.name, r.description, r.star_count, r.download_count, r.kind, count(*) OVER () AS total
       ${matches}
       ORDER BY CASE WHEN r.name = ${same} OR (r.namespace || '/' || r.name) = ${same} THEN 0
                     WHEN r.name LIKE ${prefix} OR (r.namespace || '/' || r.name) LIKE ${prefix} THEN 1
                     WHEN (r.namespace || '/' || r.name) LIKE ${contains} THEN 2
                     ELSE 3 END,
                r.star_count DESC, r.download_count DESC, r.namespace, r.name
       OFFSET ${param(offset)} LIMIT ${param(limit)}`,
      params,
    );
    let total = rows.length > 0 ? Number(rows[0].total) : 0;
    // A page past the end has no row to carry the count.
    if (rows.length === 0 && offset > 0) total = (await this.pool.query(`SELECT count(*)::int AS n ${matches}`, filterParams)).rows[0].n;
    return {
      total,
      hits: rows.map((row) => ({
        name: `${row.namespace}/${row.name}`,
        description: row.description ?? '',
        starCount: row.star_count,
        pullCount: Number(row.download_count),
        official: row.kind === 'library',
      })),
    };
  }
}
