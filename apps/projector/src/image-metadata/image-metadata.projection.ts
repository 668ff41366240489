import { PoolClient } from 'pg';
import {
  ChecksumVerifiedV1,
  IMAGE_EVENTS,
  ImageJsonStoredV1,
  ImageMountedV1,
  LayerUploadedV1,
  PublishedEvent,
} from '@dockyard/contracts';

/** Folds image events into read.images, one row per (namespace, image id). */
export async function projectImageMetadata(client: PoolClient, event: PublishedEvent): Promise<void> {
  const key = event.data as { namespace?: string; imageId: string };
  // Streams from before images had a namespace (`image-<id>`): no production data, nothing to fold.
  if (typeof key.namespace !== 'string') return;
  switch (event.type) {
    case IMAGE_EVENTS.ImageJsonStored: {
      const d = event.data as unknown as ImageJsonStoredV1;
      await client.query(
        `INSERT INTO images (namespace, image_id, parent, json, stored_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (namespace, image_id) DO UPDATE SET parent = excluded.parent, json = excluded.json,
           blob_key = NULL, size = NULL, payload_checksum = NULL`,
        [d.namespace, d.imageId, d.parent, d.json, event.position],
      );
      return;
    }
    case IMAGE_EVENTS.LayerUploaded: {
      const d = event.data as unknown as LayerUploadedV1;
      await client.query(
        'UPDATE images SET blob_key = $3, size = $4, payload_checksum = $5 WHERE namespace = $1 AND image_id = $2',
        [d.namespace, d.imageId, d.blobKey, d.size, d.payloadChecksum],
      );
      return;
    }
    case IMAGE_EVENTS.LayerRejected:
      await client.query(
        'UPDATE images SET blob_key = NULL, size = NULL, payload_checksum = NULL WHERE namespace = $1 AND image_id = $2',
        [key.namespace, key.imageId],
      );
      return;
    case IMAGE_EVENTS.ChecksumVerified: {
      const d = event.data as unknown as ChecksumVerifiedV1;
      await client.query('UPDATE images SET checksum = $3, complete = true WHERE namespace = $1 AND image_id = $2', [
        d.namespace,
        d.imageId,
        d.checksum,
      ]);
      return;
    }
    case IMAGE_EVENTS.ImageMounted: {
      const d = event.data as unknown as ImageMountedV1;
      await client.query(
        `INSERT INTO images (namespace, image_id, parent, json, blob_key, size, checksum, payload_checksum, complete, source_namespace, stored_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $10)
         ON CONFLICT (namespace, image_id) DO UPDATE SET parent = excluded.parent, json = excluded.json,
           blob_key = excluded.blob_key, size = excluded.size, checksum = excluded.checksum,
           payload_checksum = excluded.payload_checksum, complete = true, source_namespace = excluded.source_namespace`,
        [d.namespace, d.imageId, d.parent, d.json, d.blobKey, d.size, d.checksum, d.payloadChecksum, d.sourceNamespace, event.position],
      );
      return;
    }
    default:
      return;
  }
}
