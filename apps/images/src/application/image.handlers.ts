import {
  DomainError,
  IMAGE_EVENTS,
  MessageMetadata,
  MountImageCommand,
  RecordLayerCommand,
  StoreImageJsonCommand,
  VerifyChecksumCommand,
  WrittenStream,
} from '@dockyard/contracts';
import { imageNamespace, imageRef, mountImage, recordLayer, storeJson, verifyChecksum } from '../domain/image';
import { ImageStore } from '../infrastructure/repository-images.store';

const written = (w: WrittenStream | null) => w && { source: w.source, streamId: w.streamId, streamVersion: w.streamVersion };

/**
 * The registry's image uploads, each into the writer's own namespace (chosen by the gateway): json,
 * layer (already in the blob store), checksum; or a mount of another namespace's identical image.
 */
export class ImageHandlers {
  constructor(private readonly images: ImageStore) {}

  async storeJson(command: StoreImageJsonCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const ref = imageRef(command.namespace, command.imageId);
    if (typeof command.json !== 'string') throw new DomainError('invalid', 'Invalid JSON');
    return written(await this.images.change(ref, (state) => storeJson(state, ref, command.json), metadata));
  }

  async recordLayer(command: RecordLayerCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const ref = imageRef(command.namespace, command.imageId);
    const layer = { blobKey: String(command.blobKey), size: Number(command.size), payloadChecksum: String(command.payloadChecksum) };
    const hashedJson = typeof command.hashedJson === 'string' ? command.hashedJson : undefined;
    return written(await this.images.change(ref, (state) => recordLayer(state, ref, layer, hashedJson), metadata));
  }

  async verifyChecksum(command: VerifyChecksumCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const ref = imageRef(command.namespace, command.imageId);
    if (typeof command.payloadChecksum !== 'string' || !command.payloadChecksum) {
      throw new DomainError('invalid', 'X-Docker-Checksum-Payload is required');
    }
    const result = await this.images.change(
      ref,
      (state) => verifyChecksum(state, ref, String(command.checksum ?? ''), command.payloadChecksum),
      metadata,
    );
    if (result?.events.some((e) => e.type === IMAGE_EVENTS.LayerRejected)) {
      throw new DomainError('invalid', 'Checksum mismatch: upload the layer again');
    }
    return written(result);
  }

  /** A complete image never changes again, so the source and the parent are read once, outside the retry. */
  async mountImage(command: MountImageCommand, metadata: MessageMetadata): Promise<WrittenStream | null> {
    const ref = imageRef(command.namespace, command.imageId);
    const sourceNamespace = imageNamespace(command.sourceNamespace);
    if (typeof command.json !== 'string') throw new DomainError('invalid', 'Invalid JSON');
    const source = await this.images.load({ namespace: sourceNamespace, id: ref.id });
    const parent = source.parent === null ? null : await this.images.load({ namespace: ref.namespace, id: source.parent });
    return written(
      await this.images.change(ref, (state) => mountImage(state, ref, { namespace: sourceNamespace, state: source }, command.json, parent), metadata),
    );
  }
}
