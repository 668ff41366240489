import { Pool } from 'pg';
import { AuditEntry, PROJECTIONS } from '@dockyard/contracts';
import { AuditedStream, owningRepository } from './audit-verification';
import { AuditQuery } from './audit-query';

/** Whose entries a list reads: one repository name (every life), one account, or the whole feed. */
export type AuditScope = { repository: string } | { username: string } | { feed: true };

/** The newest life known of a repository name (also after its deletion). */
export interface AuditedRepository {
  repositoryId: string;
  isPublic: boolean;
  deleted: boolean;
}

export interface AuditPage {
  entries: AuditEntry[];
  next: string | null;
}

const ENTRY_COLUMNS = `e.seq::text AS seq, e.time, e.type, e.actor, e.source_ip, e.user_agent, e.request_id, e.repository_id,
  e.service, e.stream, e.version, e.data, e.hash, e.prev_hash`;

/** A row as an entry; a row of a repository's history (`position`: its place there) carries both positions. */
export const rowToAuditEntry = (row: Record<string, any>): AuditEntry => ({
  cursor: row.position ?? row.seq,
  ...(row.position !== undefined && row.position !== row.seq && { feed_cursor: row.seq }),
  time: (row.time as Date).toISOString(),
  type: row.type,
  actor: row.actor,
  source_ip: row.source_ip,
  user_agent: row.user_agent,
  request_id: row.request_id,
  repository_id: row.repository_id,
  service: row.service,
  stream: row.stream,
  version: row.version,
  data: row.data,
  hash: row.hash,
  prev_hash: row.prev_hash,
});

/** `alice` is the user `user:alice`; `anonymous` and `system:...` are taken as they are. */
const actorFilter = (actor: string): string => (actor.includes(':') || actor === 'anonymous' ? actor : `user:${actor}`);

/**
 * Queries on the audit read model (read.audit_*, built by the projector's audit projection). Every
 * list is a keyset page through an index of its scope: on the gap-free feed position for the
 * account's entries and the feed itself, on the link position for a repository name's history.
 */
export class AuditReadModel {
  constructor(private readonly pool: Pool) {}

  /** The SQL and parameters of a scope's entries after `query.after`, oldest first. */
  private select(scope: AuditScope, query: AuditQuery, limit: number): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where: string[] = [];
    let from = 'read.audit_entries e';
    let seq = 'e.seq';
    if ('repository' in scope) {
      from = 'read.audit_repository_entries l JOIN read.audit_entries e ON e.seq = l.seq';
      // Where the entry entered the name's history, not its feed position: an entry linked late
      // (an image's earlier entries, once the repository lists it) comes after what was read before.
      seq = 'l.link_seq';
      where.push(`l.repository = ${param(scope.repository)}`);
    } else if ('username' in scope) {
      where.push(`e.username = ${param(scope.username)}`);
    }
    if (query.after !== null) where.push(`${seq} > ${param(query.after)}`);
    if (query.types) where.push(`e.type = ANY(${param(query.types)}::text[])`);
    if (query.actor !== null) where.push(`e.actor = ${param(actorFilter(query.actor))}`);
    if (query.from !== null) where.push(`e.time >= ${param(query.from)}`);
    if (query.until !== null) where.push(`e.time <= ${param(query.until)}`);
    const text = `SELECT ${ENTRY_COLUMNS}${'repository' in scope ? `, ${seq}::text AS position` : ''} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${seq} LIMIT ${param(limit)}`;
    return { text, values };
  }

  /** One page; `next` is the cursor of its last entry when more follow. */
  async page(scope: AuditScope, query: AuditQuery): Promise<AuditPage> {
    const { text, values } = this.select(scope, query, query.limit + 1);
    const { rows } = await this.pool.query(text, values);
    const entries = rows.slice(0, query.limit).map(rowToAuditEntry);
    return { entries, next: rows.length > query.limit ? entries.at(-1)!.cursor : null };
  }

  /**
   * Every matching entry, page after page (keyset, `pageSize` rows held at a time): the export's
   * memory does not grow with the feed.
   */
  async *all(scope: AuditScope, query: AuditQuery, pageSize = 1000): AsyncGenerator<AuditEntry> {
    let after = query.after;
    for (;;) {
      const page = await this.page(scope, { ...query, after, limit: pageSize });
      yield* page.entries;
      if (page.next === null) return;
      after = page.next;
    }
  }

  /** The entries that shape a repository name's state, up to and including `at`, in the order they happened. */
  async stateEntries(repository: string, at: string): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query(
      `SELECT ${ENTRY_COLUMNS} FROM read.audit_repository_entries l JOIN read.audit_entries e ON e.seq = l.seq
       WHERE l.repository = $1 AND e.time <= $2 AND e.service IN ('repositories', 'images') AND e.stream NOT LIKE 'image-%'
       ORDER BY e.time, e.seq`,
      [repository, at],
    );
    return rows.map(rowToAuditEntry);
  }

  /**
   * The streams behind a repository name (all its lives), each with its audit copy's hashes by
   * version as the history links them, and for a repository's own streams the version the audit
   * projection has applied (its checkpoint).
   */
  async streams(repository: string): Promise<AuditedStream[]> {
    const { rows } = await this.pool.query(
      `SELECT e.service, e.stream, e.version, e.hash FROM read.audit_repository_entries l JOIN read.audit_entries e ON e.seq = l.seq
       WHERE l.repository = $1 AND e.stream IS NOT NULL ORDER BY l.seq`,
      [repository],
    );
    const streams = new Map<string, AuditedStream>();
    for (const row of rows) {
      const stream = streams.get(row.stream) ?? { service: row.service, stream: row.stream, hashes: new Map() };
      stream.hashes.set(row.version, row.hash);
      streams.set(row.stream, stream);
    }
    const owned = [...streams.keys()].filter((stream) => owningRepository(stream) !== undefined);
    const { rows: applied } = await this.pool.query(
      `SELECT stream_id, stream_version FROM read.consumer_checkpoints WHERE consumer = $1 AND stream_id = ANY($2)`,
      [PROJECTIONS.audit, owned],
    );
    const through = new Map<string, number>(applied.map((row) => [row.stream_id, row.stream_version]));
    for (const stream of owned) streams.get(stream)!.owned = { repositoryId: owningRepository(stream)!, through: through.get(stream) ?? 0 };
    return [...streams.values()];
  }

  /** Every life (repository id) the name has had, as the audit saw them created. */
  async lives(repository: string): Promise<Set<string>> {
    const { rows } = await this.pool.query('SELECT repository_id FROM read.audit_repositories WHERE repository = $1', [repository]);
    return new Set(rows.map((row) => row.repository_id as string));
  }

  /** The newest life of a name the audit has seen, or undefined when the name never existed. */
  async repository(repository: string): Promise<AuditedRepository | undefined> {
    const { rows } = await this.pool.query(
      `SELECT repository_id, metadata, deleted FROM read.audit_repositories WHERE repository = $1 ORDER BY created_at DESC LIMIT 1`,
      [repository],
    );
    const row = rows[0];
    return row && { repositoryId: row.repository_id, isPublic: row.metadata?.isPublic === true, deleted: row.deleted };
  }

  /** Whether the user holds the auditor role (read.users, from RoleGranted / RoleRevoked). */
  async isAuditor(username: string): Promise<boolean> {
    const { rows } = await this.pool.query('SELECT auditor FROM read.users WHERE username = $1', [username]);
    return rows[0]?.auditor === true;
  }

  /** The feed's last position and running hash. */
  async head(): Promise<{ position: string; head: string }> {
    const { rows } = await this.pool.query(`SELECT seq::text AS seq, feed_hash FROM read.audit_feed_head WHERE id = 1`);
    return { position: rows[0].seq, head: rows[0].feed_hash };
  }
}
