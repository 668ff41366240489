import { Pool } from 'pg';
import { RepositoryActivity } from '@dockyard/contracts';

/**
 * Counts pulls and pushes into read.repositories. Each activity id is recorded in the same
 * transaction as its count, so a redelivered activity counts once. (Activity of a deleted
 * repository finds no row and changes nothing.)
 */
export async function projectActivity(pool: Pool, activity: RepositoryActivity): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const fresh = await client.query(
      'INSERT INTO read.counted_activity (activity_id, at) VALUES ($1, $2) ON CONFLICT (activity_id) DO NOTHING',
      [activity.activityId, activity.at],
    );
    if (fresh.rowCount === 1) {
      const sql =
        activity.kind === 'pull'
          ? 'UPDATE read.repositories SET download_count = download_count + 1, pulled_at = GREATEST(pulled_at, $2) WHERE repository_id = $1'
          : 'UPDATE read.repositories SET upload_count = upload_count + 1, pushed_at = GREATEST(pushed_at, $2) WHERE repository_id = $1';
      await client.query(sql, [activity.repositoryId, activity.at]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
