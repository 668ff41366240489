import { PoolClient } from 'pg';
import {
  ChecksumVerifiedV1,
  IMAGE_EVENTS,
  ImageJsonStoredV1,
  ImageMountedV1,
  LayerUploadedV1,
  PublishedEvent,
} from '@dockyard/contracts';
import { BatchFolds } from '../batch-fold';

/** Folds image events into read.images, one row per (namespace, image id). */
export async function projectImageMetadata(client: PoolClient, event: PublishedEvent): Promise<void> {
  const key = event.data as { namespace?: string; imageId: string };
  // Streams from before images had a namespace (`image-<id>`): no production data, nothing to fold.
  if (typeof key.namespace !== 'string') return;
  // One fold per type: these fold one event live and many at once in a rebuild (BatchFold).
  const batch = IMAGE_METADATA_BATCH_FOLDS[event.type];
  if (batch) return batch(client, [event]);
  switch (event.type) {
    case IMAGE_EVENTS.LayerRejected:
      await client.query(
        'UPDATE images SET blob_key = NULL, size = NULL, payload_checksum = NULL WHERE namespace = $1 AND image_id = $2',
        [key.namespace, key.imageId],
      );
      return;
    case IMAGE_EVENTS.ImageMounted: {
      const d = event.data as unknown as ImageMountedV1;
      await client.query(
        `INSERT INTO images (namespace, image_id, parent, json, blob_key, size, checksum, payload_checksum, complete, source_namespace, stored_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10)
         ON CONFLICT (namespace, image_id) DO UPDATE SET parent = excluded.parent, json = excluded.json,
           blob_key = excluded.blob_key, size = excluded.size, checksum = excluded.checksum,
           payload_checksum = excluded.payload_checksum, complete = true, source_namespace = excluded.source_namespace`,
        [
          d.namespace,
          d.imageId,
          d.parent,
          d.json,
          d.blobKey,
          d.size,
          d.checksum,
          d.payloadChecksum,
          d.sourceNamespace,
          event.position,
        ],
      );
      return;
    }
    default:
      return;
  }
}

/** Events of images with a namespace: the older streams without one fold nothing (as in `projectImageMetadata`). */
const namespaced = (events: PublishedEvent[]): PublishedEvent[] =>
  events.filter((event) => typeof (event.data as { namespace?: string }).namespace === 'string');
const dataOf = <T>(events: PublishedEvent[]): T[] =>
  namespaced(events).map((event) => event.data as unknown as T);

/** How `projectImageMetadata` folds its common types, one event live or many at once in a rebuild (BatchFold). */
export const IMAGE_METADATA_BATCH_FOLDS: BatchFolds = {
  [IMAGE_EVENTS.ImageJsonStored]: async (client, events) => {
    const stored = namespaced(events);
    const data = dataOf<ImageJsonStoredV1>(stored);
    await client.query(
      `INSERT INTO images (namespace, image_id, parent, json, stored_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
       ON CONFLICT (namespace, image_id) DO UPDATE SET parent = excluded.parent, json = excluded.json,
         blob_key = NULL, size = NULL, payload_checksum = NULL`,
      [
        data.map((d) => d.namespace),
        data.map((d) => d.imageId),
        data.map((d) => d.parent),
        data.map((d) => d.json),
        stored.map((e) => e.position),
      ],
    );
  },
  [IMAGE_EVENTS.LayerUploaded]: async (client, events) => {
    const data = dataOf<LayerUploadedV1>(events);
    await client.query(
      `UPDATE images SET blob_key = r.blob_key, size = r.size, payload_checksum = r.payload_checksum
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS r(namespace, image_id, blob_key, size, payload_checksum)
       WHERE images.namespace = r.namespace AND images.image_id = r.image_id`,
      [
        data.map((d) => d.namespace),
        data.map((d) => d.imageId),
        data.map((d) => d.blobKey),
        data.map((d) => d.size),
        data.map((d) => d.payloadChecksum),
      ],
    );
  },
  [IMAGE_EVENTS.ChecksumVerified]: async (client, events) => {
    const data = dataOf<ChecksumVerifiedV1>(events);
    await client.query(
      `UPDATE images SET checksum = r.checksum, complete = true
       FROM unnest($1::text[], $2::text[], $3::text[]) AS r(namespace, image_id, checksum)
       WHERE images.namespace = r.namespace AND images.image_id = r.image_id`,
      [data.map((d) => d.namespace), data.map((d) => d.imageId), data.map((d) => d.checksum)],
    );
  },
};
