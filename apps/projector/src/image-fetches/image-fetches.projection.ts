import { PoolClient } from 'pg';
import { ImageFetchedActivity, isImageId } from '@dockyard/contracts';

/**
 * Records that each `username` fetched `namespace`'s copy of `imageId` (read.image_fetches), a
 * message's fetches in one statement. Idempotent by primary key: a redelivered or repeated fetch
 * keeps one row with the earliest time. A fetch without the fields (a malformed message) can never
 * be recorded and is dropped, not retried.
 */
export async function projectImageFetches(client: PoolClient, fetches: ImageFetchedActivity[]): Promise<void> {
  // One row per key, its earliest time: an INSERT may not touch the same conflicting row twice.
  const earliest = new Map<string, { username: string; namespace: string; imageId: string; at: string }>();
  for (const { username, namespace, imageId, at } of fetches) {
    if (typeof username !== 'string' || typeof namespace !== 'string' || !isImageId(imageId)) continue;
    const when = typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : new Date().toISOString();
    const key = JSON.stringify([username, namespace, imageId]);
    const known = earliest.get(key);
    if (!known || Date.parse(when) < Date.parse(known.at)) earliest.set(key, { username, namespace, imageId, at: when });
  }
  if (earliest.size === 0) return;
  const rows = [...earliest.values()];
  await client.query(
    `INSERT INTO read.image_fetches (username, namespace, image_id, first_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
     ON CONFLICT (username, namespace, image_id) DO UPDATE SET first_at = EXCLUDED.first_at
     WHERE EXCLUDED.first_at < read.image_fetches.first_at`,
    [rows.map((r) => r.username), rows.map((r) => r.namespace), rows.map((r) => r.imageId), rows.map((r) => r.at)],
  );
}
