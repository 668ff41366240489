import { PoolClient } from 'pg';
import { IMAGES_EVENTS, ImagesAddedV1, PublishedEvent, TagDeletedV1, TagSetV1 } from '@dockyard/contracts';
import { BatchFolds } from '../batch-fold';

/**
 * Folds images events into read.repository_images and read.tags. Events of a repository already
 * deleted (its tombstone is there) are dropped: deletion arrives on another topic, in any order.
 */
export async function projectImages(client: PoolClient, event: PublishedEvent): Promise<void> {
  // One fold per type, for one event live and for many at once in a rebuild (BatchFold).
  await IMAGES_BATCH_FOLDS[event.type]?.(client, [event]);
}

/** Only rows of repositories without a tombstone: checked by the write itself, not by a query before it. */
const LIVE_ROW = 'NOT EXISTS (SELECT 1 FROM deleted_repositories d WHERE d.repository_id = r.repository_id)';

/** How `projectImages` folds each type, one event live or many at once in a rebuild (BatchFold). */
export const IMAGES_BATCH_FOLDS: BatchFolds = {
  [IMAGES_EVENTS.ImagesAdded]: async (client, events) => {
    const data = events.map((event) => event.data as unknown as ImagesAddedV1);
    await client.query(
      `INSERT INTO repository_images (repository_id, image_id, checksum, added_at)
       SELECT r.repository_id, i.id, i.checksum, r.position * 10000 + i.ord
       FROM unnest($1::uuid[], $2::jsonb[], $3::bigint[]) AS r(repository_id, images, position)
       CROSS JOIN LATERAL ROWS FROM (jsonb_to_recordset(r.images) AS (id text, checksum text)) WITH ORDINALITY AS i(id, checksum, ord)
       WHERE ${LIVE_ROW}
       ON CONFLICT (repository_id, image_id) DO UPDATE SET checksum = excluded.checksum`,
      [
        data.map((d) => d.repositoryId),
        data.map((d) => JSON.stringify(d.images)),
        events.map((event) => event.position),
      ],
    );
  },
  [IMAGES_EVENTS.TagSet]: async (client, events) => {
    const data = events.map((event) => event.data as unknown as TagSetV1);
    await client.query(
      `INSERT INTO tags (repository_id, tag, image_id)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(repository_id, tag, image_id) WHERE ${LIVE_ROW}
       ON CONFLICT (repository_id, tag) DO UPDATE SET image_id = excluded.image_id`,
      [data.map((d) => d.repositoryId), data.map((d) => d.tag), data.map((d) => d.imageId)],
    );
  },
  [IMAGES_EVENTS.TagDeleted]: async (client, events) => {
    const data = events.map((event) => event.data as unknown as TagDeletedV1);
    await client.query(
      `DELETE FROM tags USING unnest($1::uuid[], $2::text[]) AS r(repository_id, tag)
       WHERE tags.repository_id = r.repository_id AND tags.tag = r.tag`,
      [data.map((d) => d.repositoryId), data.map((d) => d.tag)],
    );
  },
};
