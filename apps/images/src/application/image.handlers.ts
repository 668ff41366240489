import {
  DomainError,
  IMAGE_EVENTS,
  MessageMetadata,
  RecordLayerCommand,
  StoreImageJsonCommand,
  VerifyChecksumCommand,
  WrittenStream,
} from '@dockyard/contracts';
import { recordLayer, storeJson, verifyChecksum } from '../domain/image';
import { imageId } from '../domain/repository-images';
import { ImageStore } from '../infrastructure/repository-images.store';

const written = (w: WrittenStream | null) => w && { source: w.source, streamId: w.streamId, streamVersion: w.streamVersion };

/** The registry's image uploads: json, layer (already in the blob store), checksum. */
export class ImageHandlers {
  constructor(private readonly images: ImageStore) {}

  async storeJson(command: StoreImageJsonCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const id = imageId(command.imageId);
    if (typeof command.json !== 'string') throw new DomainError('invalid', 'Invalid JSON');
    return written(await this.images.change(id, (state) => storeJson(state, id, command.json), metadata));
  }

  async recordLayer(command: RecordLayerCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const id = imageId(command.imageId);
    const layer = { blobKey: String(command.blobKey), size: Number(command.size), payloadChecksum: String(command.payloadChecksum) };
    return written(await this.images.change(id, (state) => recordLayer(state, id, layer), metadata));
  }

  async verifyChecksum(command: VerifyChecksumCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const id = imageId(command.imageId);
    if (typeof command.payloadChecksum !== 'string' || !command.payloadChecksum) {
      throw new DomainError('invalid', 'X-Docker-Checksum-Payload is required');
    }
    const result = await this.images.change(
      id,
      (state) => verifyChecksum(state, id, String(command.checksum ?? ''), command.payloadChecksum),
      metadata,
    );
    if (result?.events.some((e) => e.type === IMAGE_EVENTS.LayerRejected)) {
      throw new DomainError('invalid', 'Checksum mismatch: upload the layer again');
    }
    return written(result);
  }
}
