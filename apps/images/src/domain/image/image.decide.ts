import { DomainError, IMAGE_EVENTS } from '@dockyard/contracts';
import { imageId } from '../repository-images/image-id';
import { ImageRef } from './image-ref';
import { ImageEvent } from './image.events';
import { ImageState } from './image.state';

// docker-registry's exact message: the docker client skips an image when it reads it (protocol.md §1.2).
const ALREADY_EXISTS = 'Image already exists';

function mustNotBeComplete(state: ImageState): void {
  if (state.complete) throw new DomainError('already-exists', ALREADY_EXISTS);
}

/** Parses an image json: an object whose `id` is this image; `parent`, if any, another image id. */
function parentOf(id: string, json: string): string | null {
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
  return parent;
}

/** `PUT /v1/images/(id)/json` into the writer's namespace: its own copy, its own upload. */
export function storeJson(state: ImageState, ref: ImageRef, json: string): ImageEvent[] {
  mustNotBeComplete(state);
  const parent = parentOf(ref.id, json);
  return [{ type: IMAGE_EVENTS.ImageJsonStored, data: { namespace: ref.namespace, imageId: ref.id, parent, json } }];
}

/**
 * `PUT /v1/images/(id)/layer`: the bytes are already in the blob store under `blobKey`, and
 * `payloadChecksum` covers `hashedJson` + "\n" + them. A json stored again while they streamed in
 * (another push of the same id) is a 409: recorded, the copy would hold one push's json and
 * another's bytes under a checksum that matches neither.
 */
export function recordLayer(
  state: ImageState,
  ref: ImageRef,
  layer: { blobKey: string; size: number; payloadChecksum: string },
  hashedJson?: string,
): ImageEvent[] {
  mustNotBeComplete(state);
  if (state.json === null) throw new DomainError('not-found', 'Image json not found: upload it first');
  if (hashedJson !== undefined && hashedJson !== state.json) {
    throw new DomainError('conflict', 'The image json changed while the layer was uploaded: upload the layer again');
  }
  return [{ type: IMAGE_EVENTS.LayerUploaded, data: { namespace: ref.namespace, imageId: ref.id, ...layer } }];
}

/**
 * `PUT /v1/images/(id)/checksum`: the client's payload checksum must match what was uploaded. A
 * mismatch discards the layer (it never becomes visible) so that the next try starts clean.
 */
export function verifyChecksum(state: ImageState, ref: ImageRef, checksum: string, payloadChecksum: string): ImageEvent[] {
  mustNotBeComplete(state);
  if (state.layer === null) throw new DomainError('not-found', 'Image layer not found: upload it first');
  const { namespace, id } = ref;
  if (payloadChecksum !== state.layer.payloadChecksum) {
    return [{ type: IMAGE_EVENTS.LayerRejected, data: { namespace, imageId: id, reason: 'Checksum mismatch' } }];
  }
  return [{ type: IMAGE_EVENTS.ChecksumVerified, data: { namespace, imageId: id, checksum, payloadChecksum } }];
}

/**
 * Makes the target namespace's copy complete from another namespace's complete copy whose json is
 * byte-identical to what the pusher sent (its daemon keeps a pulled base's json as it was served).
 * The parent must already be complete in the target namespace (docker pushes parents first), so
 * the target's ancestry stays whole. Layer bytes are content-addressed: nothing is copied.
 */
export function mountImage(
  target: ImageState,
  ref: ImageRef,
  source: { namespace: string; state: ImageState },
  json: string,
  parentInTarget: ImageState | null,
): ImageEvent[] {
  mustNotBeComplete(target);
  if (source.namespace === ref.namespace) throw new DomainError('invalid', 'An image cannot be mounted from its own namespace');
  const from = source.state;
  if (!from.complete || from.layer === null || from.json === null) throw new DomainError('not-found', 'Source image not found');
  if (from.json !== json) throw new DomainError('invalid', 'The json differs from the source image');
  if (from.parent !== null && !parentInTarget?.complete) throw new DomainError('not-found', 'Parent image not found: push it first');
  return [
    {
      type: IMAGE_EVENTS.ImageMounted,
      data: {
        namespace: ref.namespace,
        imageId: ref.id,
        sourceNamespace: source.namespace,
        parent: from.parent,
        json: from.json,
        blobKey: from.layer.blobKey,
        size: from.layer.size,
        checksum: from.checksum ?? '',
        payloadChecksum: from.layer.payloadChecksum,
      },
    },
  ];
}
