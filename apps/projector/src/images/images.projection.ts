import { PoolClient } from 'pg';
import { IMAGES_EVENTS, ImagesAddedV1, PublishedEvent, TagDeletedV1, TagSetV1 } from '@dockyard/contracts';
import { BatchFolds } from '../batch-fold';

/** Only while the repository has no tombstone: checked by the write itself, not by a query before it. */
const LIVE = 'NOT EXISTS (SELECT 1 FROM deleted_repositories WHERE repository_id = $1)';

/**
 * Folds images events into read.repository_images and read.tags. Events of a repository already
 * deleted (its tombstone is there) are dropped: deletion arrives on another topic, in any order.
 */
export async function projectImages(client: PoolClient, event: PublishedEvent): Promise<void> {
  switch (event.type) {
    case IMAGES_EVENTS.ImagesAdded: {
      const d = event.data as unknown as ImagesAddedV1;
      // Keeps the list in push order: position of the event, then place in it.
      await client.query(
        `INSERT INTO repository_images (repository_id, image_id, checksum, added_at)
         SELECT $1::uuid, i.id, i.checksum, $3::bigint * 10000 + i.ord
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (id text, checksum text)) WITH ORDINALITY AS i(id, checksum, ord)
         WHERE ${LIVE}
         ON CONFLICT (repository_id, image_id) DO UPDATE SET checksum = excluded.checksum`,
        [d.repositoryId, JSON.stringify(d.images), event.position],
      );
      return;
    }
    case IMAGES_EVENTS.TagSet: {
      const d = event.data as unknown as TagSetV1;
      await client.query(
        `INSERT INTO tags (repository_id, tag, image_id) SELECT $1::uuid, $2::text, $3::text WHERE ${LIVE}
         ON CONFLICT (repository_id, tag) DO UPDATE SET image_id = excluded.image_id`,
        [d.repositoryId, d.tag, d.imageId],
      );
      return;
    }
    case IMAGES_EVENTS.TagDeleted: {
      // A buried repository has no tags left: deleting is a no-op there.
      const d = event.data as unknown as TagDeletedV1;
      await client.query('DELETE FROM tags WHERE repository_id = $1 AND tag = $2', [d.repositoryId, d.tag]);
      return;
    }
    default:
      return;
  }
}

/** Only rows of repositories without a tombstone, per row of a batch (as LIVE is per event). */
const LIVE_ROW = 'NOT EXISTS (SELECT 1 FROM deleted_repositories d WHERE d.repository_id = r.repository_id)';

/** The rebuild's folds of many repositories' images events at once (BatchFold): the same rows as `projectImages`. */
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
