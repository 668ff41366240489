import { Pool, PoolClient } from 'pg';
import { inTransaction, notifyReadModelChanges } from '@dockyard/eventstore';
import { RepositoryActivity, RepositoryCountActivity, activitiesOf } from '@dockyard/contracts';
import { projectImageFetches } from '../image-fetches/image-fetches.projection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Folds one message of `dockyard.activity` (one activity, or a gateway's batch of them) in one
 * transaction: counts pulls and pushes, records image fetches. The message's id is recorded in
 * the same transaction as its counts, so a redelivered message counts once. (Activity of a deleted
 * repository finds no row and changes nothing.)
 */
export async function projectActivity(pool: Pool, activity: RepositoryActivity): Promise<void> {
  const entries = activitiesOf(activity);
  const counted = entries.filter(isCount);
  const fetches = entries.filter((entry) => entry.kind === 'image-fetched');
  if (counted.length === 0 && fetches.length === 0) return; // kinds this version does not fold
  await inTransaction(pool, async (client) => {
    if (counted.length > 0) await countOnce(client, activity.activityId, counted);
    if (fetches.length > 0) await projectImageFetches(client, fetches);
  });
}

const isCount = (entry: { kind: string }): entry is RepositoryCountActivity => entry.kind === 'pull' || entry.kind === 'push';

/** One UPDATE for all the repositories of the message, in id order (two batches never wait on each other in a cycle). */
async function countOnce(client: PoolClient, messageId: string, counted: RepositoryCountActivity[]): Promise<void> {
  const totals = new Map<string, { pulls: number; pushes: number; pulledAt: string | null; pushedAt: string | null }>();
  for (const { repositoryId, kind, at } of counted) {
    if (typeof repositoryId !== 'string' || !UUID.test(repositoryId) || Number.isNaN(Date.parse(at))) continue;
    const total = totals.get(repositoryId) ?? { pulls: 0, pushes: 0, pulledAt: null, pushedAt: null };
    if (kind === 'pull') {
      total.pulls += 1;
      total.pulledAt = latest(total.pulledAt, at);
    } else {
      total.pushes += 1;
      total.pushedAt = latest(total.pushedAt, at);
    }
    totals.set(repositoryId, total);
  }
  if (totals.size === 0) return;
  const when = counted.map((entry) => entry.at).reduce((a, b) => latest(a, b) ?? b);
  const fresh = await client.query(
    'INSERT INTO read.counted_activity (activity_id, at) VALUES ($1, $2) ON CONFLICT (activity_id) DO NOTHING',
    [messageId, Number.isNaN(Date.parse(when)) ? new Date().toISOString() : when],
  );
  if (fresh.rowCount !== 1) return;
  const ids = [...totals.keys()].sort();
  const rows = ids.map((id) => totals.get(id)!);
  const updated = await client.query(
    `UPDATE read.repositories r
        SET download_count = download_count + c.pulls, upload_count = upload_count + c.pushes,
            pulled_at = GREATEST(r.pulled_at, c.pulled_at), pushed_at = GREATEST(r.pushed_at, c.pushed_at)
       FROM unnest($1::uuid[], $2::int[], $3::int[], $4::timestamptz[], $5::timestamptz[]) AS c(id, pulls, pushes, pulled_at, pushed_at)
      WHERE r.repository_id = c.id
  RETURNING r.repository_id, r.download_count, r.upload_count, r.pulled_at, r.pushed_at`,
    [ids, rows.map((r) => r.pulls), rows.map((r) => r.pushes), rows.map((r) => r.pulledAt), rows.map((r) => r.pushedAt)],
  );
  // The gateways' hot views patch the counters of a cached repository in place (a pull must not
  // evict the row every pull reads); the values are the committed ones, announced in commit order.
  await notifyReadModelChanges(
    client,
    updated.rows.map((row) => ({
      kind: 'counters',
      repositoryId: row.repository_id,
      downloadCount: Number(row.download_count),
      uploadCount: Number(row.upload_count),
      pulledAt: row.pulled_at?.toISOString() ?? null,
      pushedAt: row.pushed_at?.toISOString() ?? null,
    })),
  );
}

const latest = (a: string | null, b: string): string | null => (a === null || Date.parse(b) > Date.parse(a) ? b : a);
