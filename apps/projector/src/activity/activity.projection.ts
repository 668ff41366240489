import { Pool } from 'pg';
import { inTransaction, notifyReadModelChange } from '@dockyard/eventstore';
import { RepositoryActivity, RepositoryCountActivity } from '@dockyard/contracts';
import { projectImageFetch } from '../image-fetches/image-fetches.projection';

/** Folds one activity of `dockyard.activity`: counts pulls and pushes, records image fetches. */
export async function projectActivity(pool: Pool, activity: RepositoryActivity): Promise<void> {
  switch (activity.kind) {
    case 'pull':
    case 'push':
      return countActivity(pool, activity);
    case 'image-fetched':
      return projectImageFetch(pool, activity);
    default:
      return; // a kind this version does not know: nothing to fold
  }
}

/**
 * Counts pulls and pushes into read.repositories. Each activity id is recorded in the same
 * transaction as its count, so a redelivered activity counts once. (Activity of a deleted
 * repository finds no row and changes nothing.)
 */
async function countActivity(pool: Pool, activity: RepositoryCountActivity): Promise<void> {
  await inTransaction(pool, async (client) => {
    const fresh = await client.query(
      'INSERT INTO read.counted_activity (activity_id, at) VALUES ($1, $2) ON CONFLICT (activity_id) DO NOTHING',
      [activity.activityId, activity.at],
    );
    if (fresh.rowCount === 1) {
      const sql =
        activity.kind === 'pull'
          ? 'UPDATE read.repositories SET download_count = download_count + 1, pulled_at = GREATEST(pulled_at, $2) WHERE repository_id = $1'
          : 'UPDATE read.repositories SET upload_count = upload_count + 1, pushed_at = GREATEST(pushed_at, $2) WHERE repository_id = $1';
      const { rows } = await client.query(`${sql} RETURNING download_count, upload_count, pulled_at, pushed_at`, [activity.repositoryId, activity.at]);
      // The gateways' hot views patch the counters of a cached repository in place (a pull must not
      // evict the row every pull reads); the values are the committed ones, announced in commit order.
      if (rows[0]) {
        await notifyReadModelChange(client, {
          kind: 'counters',
          repositoryId: activity.repositoryId,
          downloadCount: Number(rows[0].download_count),
          uploadCount: Number(rows[0].upload_count),
          pulledAt: rows[0].pulled_at?.toISOString() ?? null,
          pushedAt: rows[0].pushed_at?.toISOString() ?? null,
        });
      }
    }
  });
}
