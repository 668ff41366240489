import { PoolClient } from 'pg';
import { ChecksumVerifiedV1, IMAGE_EVENTS, ImageJsonStoredV1, LayerUploadedV1, PublishedEvent } from '@dockyard/contracts';

/** Folds image events into read.images. */
export async function projectImageMetadata(client: PoolClient, event: PublishedEvent): Promise<void> {
  switch (event.type) {
    case IMAGE_EVENTS.ImageJsonStored: {
      const d = event.data as unknown as ImageJsonStoredV1;
      await client.query(
        `INSERT INTO read.images (image_id, parent, json) VALUES ($1, $2, $3)
         ON CONFLICT (image_id) DO UPDATE SET parent = excluded.parent, json = excluded.json,
           blob_key = NULL, size = NULL, payload_checksum = NULL`,
        [d.imageId, d.parent, d.json],
      );
      return;
    }
    case IMAGE_EVENTS.LayerUploaded: {
      const d = event.data as unknown as LayerUploadedV1;
      await client.query('UPDATE read.images SET blob_key = $2, size = $3, payload_checksum = $4 WHERE image_id = $1', [
        d.imageId,
        d.blobKey,
        d.size,
        d.payloadChecksum,
      ]);
      return;
    }
    case IMAGE_EVENTS.LayerRejected:
      await client.query('UPDATE read.images SET blob_key = NULL, size = NULL, payload_checksum = NULL WHERE image_id = $1', [
        (event.data as { imageId: string }).imageId,
      ]);
      return;
    case IMAGE_EVENTS.ChecksumVerified: {
      const d = event.data as unknown as ChecksumVerifiedV1;
      await client.query('UPDATE read.images SET checksum = $2, complete = true WHERE image_id = $1', [d.imageId, d.checksum]);
      return;
    }
    default:
      return;
  }
}
