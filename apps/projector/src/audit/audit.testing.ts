import { Pool } from 'pg';
import { ActivityBatch, AuditEntry, READ_SCHEMA, RepositoryCountActivity } from '@dockyard/contracts';
import { GENESIS_HASH, nextFeedHash, runMigrations } from '@dockyard/eventstore';
import { CreateReadModels1732400002000 } from '../read-model.migrations';
import {
  AuditActivityInboxKeepsText1732400030800,
  CreateAuditActivityInbox1732400030500,
  CreateAuditInbox1732400030400,
} from './audit-inbox.migrations';
import { CreateAuditReadModel1732400030300 } from './audit.migrations';

/** The audit's test helpers: its tables, the feed's check, and pulls as a gateway records them. */

/** Pull `n` of `repositoryId` as a gateway records it (ids `00000000-0000-4000-9000-<n>`). */
export const pullOf = (n: number, repositoryId: string, actor = 'alice', at = new Date(1_800_000_000_000 + n).toISOString()): RepositoryCountActivity => ({
  activityId: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  kind: 'pull',
  repositoryId,
  images: ['a'.repeat(64)],
  actor,
  at,
});

/** A gateway's activity message: its pulls of one flush (ids `00000000-0000-4000-a000-<id>`). */
export const batchOf = (id: number, pulls: RepositoryCountActivity[]): ActivityBatch => ({
  activityId: `00000000-0000-4000-a000-${String(id).padStart(12, '0')}`,
  repositoryId: null,
  kind: 'batch',
  activities: pulls,
});

/** The audit's tables (feed, inboxes) in a test database. */
export const migrateAuditTables = (url: string): Promise<void> =>
  runMigrations(url, READ_SCHEMA, [
    CreateReadModels1732400002000,
    CreateAuditReadModel1732400030300,
    CreateAuditInbox1732400030400,
    CreateAuditActivityInbox1732400030500,
    AuditActivityInboxKeepsText1732400030800,
  ]);

/** The feed recomputed from its entries as the audit API serves them: gap-free, chained, and ending at the head it stored. */
export async function expectFeedHolds(pool: Pool): Promise<void> {
  const { rows } = await pool.query(`SELECT * FROM read.audit_entries ORDER BY seq`);
  let head = GENESIS_HASH;
  rows.forEach((row, index) => {
    expect(Number(row.seq)).toBe(index + 1);
    const entry: AuditEntry = {
      cursor: String(row.seq), time: row.time.toISOString(), type: row.type, actor: row.actor, source_ip: row.source_ip,
      user_agent: row.user_agent, request_id: row.request_id, repository_id: row.repository_id, service: row.service,
      stream: row.stream, version: row.version, data: row.data, hash: row.hash, prev_hash: row.prev_hash,
    };
    head = nextFeedHash(head, entry);
    expect(row.feed_hash).toBe(head);
  });
  const stored = (await pool.query(`SELECT seq::text, feed_hash FROM read.audit_feed_head WHERE id = 1`)).rows[0];
  expect(stored).toEqual({ seq: String(rows.length), feed_hash: head });
}
