import { DomainError, IMAGE_EVENTS } from '@dockyard/contracts';
import { imageId } from '../repository-images/image-id';
import { ImageEvent } from './image.events';
import { ImageState } from './image.state';

// docker-registry's exact message: the docker client skips an image when it reads it (protocol.md §1.2).
const ALREADY_EXISTS = 'Image already exists';

function mustNotBeComplete(state: ImageState): void {
  if (state.complete) throw new DomainError('already-exists', ALREADY_EXISTS);
}

/** `PUT /v1/images/(id)/json`: a JSON object whose `id` is this image; `parent`, if any, an image id. */
export function storeJson(state: ImageState, id: string, json: string): ImageEvent[] {
  mustNotBeComplete(state);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new DomainError('invalid', 'Invalid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DomainError('invalid', 'Invalid JSON');
  const fields = parsed as { id?: unknown; parent?: unknown };
  if (fields.id !== id) throw new DomainError('invalid', 'The json id differs from the image id');
  const parent = fields.parent === undefined || fields.parent === null || fields.parent === '' ? null : imageId(fields.parent);
  if (parent === id) throw new DomainError('invalid', 'An image cannot be its own parent');
  return [{ type: IMAGE_EVENTS.ImageJsonStored, data: { imageId: id, parent, json } }];
}

/** `PUT /v1/images/(id)/layer`: the bytes are already in the blob store under `blobKey`. */
export function recordLayer(
  state: ImageState,
  id: string,
  layer: { blobKey: string; size: number; payloadChecksum: string },
): ImageEvent[] {
  mustNotBeComplete(state);
  if (state.json === null) throw new DomainError('not-found', 'Image json not found: upload it first');
  return [{ type: IMAGE_EVENTS.LayerUploaded, data: { imageId: id, ...layer } }];
}

/**
 * `PUT /v1/images/(id)/checksum`: the client's payload checksum must match what was uploaded. A
 * mismatch discards the layer (it never becomes visible) so that the next try starts clean.
 */
export function verifyChecksum(state: ImageState, id: string, checksum: string, payloadChecksum: string): ImageEvent[] {
  mustNotBeComplete(state);
  if (state.layer === null) throw new DomainError('not-found', 'Image layer not found: upload it first');
  if (payloadChecksum !== state.layer.payloadChecksum) {
    return [{ type: IMAGE_EVENTS.LayerRejected, data: { imageId: id, reason: 'Checksum mismatch' } }];
  }
  return [{ type: IMAGE_EVENTS.ChecksumVerified, data: { imageId: id, checksum, payloadChecksum } }];
}
