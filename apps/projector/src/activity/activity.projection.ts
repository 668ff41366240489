import { PoolClient } from 'pg';
import { notifyReadModelChanges } from '@dockyard/eventstore';
import { RepositoryActivity, RepositoryCountActivity, activitiesOf } from '@dockyard/contracts';
import { projectImageFetches } from '../image-fetches/image-fetches.projection';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a message holds anything this version folds: counts or image fetches. */
export const foldsAnything = (activity: RepositoryActivity): boolean =>
  activitiesOf(activity).some((entry) => isCount(entry) || entry.kind === 'image-fetched');

/**
 * Folds messages of `dockyard.activity` (each one activity, or a gateway's batch of them) in the
 * caller's transaction: counts pulls and pushes (one UPDATE and one announcement for all of them),
 * records image fetches. Each message's id is recorded with its counts, so a redelivered message
 * counts once. (Activity of a deleted repository finds no row and changes nothing.)
 */
export async function projectActivities(client: PoolClient, messages: RepositoryActivity[]): Promise<void> {
  const counted = messages.map((message) => ({ messageId: message.activityId, counted: activitiesOf(message).filter(isCount) }));
  const fetches = messages.flatMap((message) => activitiesOf(message).filter((entry) => entry.kind === 'image-fetched'));
  if (counted.some((message) => message.counted.length > 0)) await countOnce(client, counted.filter((message) => message.counted.length > 0));
  if (fetches.length > 0) await projectImageFetches(client, fetches);
}

const isCount = (entry: { kind: string }): entry is RepositoryCountActivity => entry.kind === 'pull' || entry.kind === 'push';

/**
 * One UPDATE for all the repositories of the messages, in id order (two batches never wait on each
 * other in a cycle), counting only the messages whose id was not counted before.
 */
async function countOnce(client: PoolClient, messages: { messageId: string; counted: RepositoryCountActivity[] }[]): Promise<void> {
  const when = (counted: RepositoryCountActivity[]) => {
    const latestAt = counted.map((entry) => entry.at).reduce((a, b) => latest(a, b) ?? b);
    return Number.isNaN(Date.parse(latestAt)) ? new Date().toISOString() : latestAt;
  };
  const { rows: fresh } = await client.query<{ activity_id: string }>(
    `INSERT INTO read.counted_activity (activity_id, at) SELECT * FROM unnest($1::uuid[], $2::timestamptz[])
     ON CONFLICT (activity_id) DO NOTHING RETURNING activity_id::text`,
    [messages.map((m) => m.messageId), messages.map((m) => when(m.counted))],
  );
  const freshIds = new Set(fresh.map((row) => row.activity_id));
  const totals = new Map<string, { pulls: number; pushes: number; pulledAt: string | null; pushedAt: string | null }>();
  for (const { repositoryId, kind, at } of messages.filter((m) => freshIds.has(m.messageId)).flatMap((m) => m.counted)) {
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
