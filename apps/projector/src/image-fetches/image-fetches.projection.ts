import { Pool, PoolClient } from 'pg';
import { ImageFetchedActivity, isImageId } from '@dockyard/contracts';

/**
 * Records that `username` fetched `namespace`'s copy of `imageId` (read.image_fetches). Idempotent
 * by primary key: a redelivered or repeated fetch keeps one row with the earliest time. An activity
 * without the fields (a malformed message) can never be recorded and is dropped, not retried.
 */
export async function projectImageFetch(pool: Pool | PoolClient, activity: ImageFetchedActivity): Promise<void> {
  const { username, namespace, imageId, at } = activity;
  if (typeof username !== 'string' || typeof namespace !== 'string' || !isImageId(imageId)) return;
  const when = typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : new Date().toISOString();
  await pool.query(
    `INSERT INTO read.image_fetches (username, namespace, image_id, first_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username, namespace, image_id) DO UPDATE SET first_at = EXCLUDED.first_at
     WHERE EXCLUDED.first_at < read.image_fetches.first_at`,
    [username, namespace, imageId, when],
  );
}
