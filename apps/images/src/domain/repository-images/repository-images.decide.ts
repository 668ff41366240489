import { DomainError, IMAGES_EVENTS, IndexImage } from '@dockyard/contracts';
import { imageId, tagName } from './image-id';
import { RepositoryImagesEvent } from './repository-images.events';
import { RepositoryImagesState } from './repository-images.state';

/**
 * Merges a client's image list into the repository's the way docker-registry did: union by id, a
 * known checksum is kept, an unknown one is filled in; nothing is ever removed. So the docker
 * client's final `PUT .../images` with `[]` changes nothing, and the same id sent once per tag
 * counts once.
 */
export function updateIndex(
  state: RepositoryImagesState,
  repositoryId: string,
  sent: { id: unknown; checksum?: unknown }[],
): RepositoryImagesEvent[] {
  const added = new Map<string, string>();
  for (const entry of sent) {
    const id = imageId(entry.id);
    // Absent is "not known yet"; anything but a string is a broken list, refused whole.
    if (entry.checksum !== undefined && typeof entry.checksum !== 'string') throw new DomainError('invalid', 'An image checksum must be a string');
    const checksum = entry.checksum ?? '';
    const known = added.get(id) ?? state.images.get(id);
    if (known === undefined || (known === '' && checksum !== '')) added.set(id, checksum);
  }
  if (added.size === 0) return [];
  const images: IndexImage[] = [...added].map(([id, checksum]) => ({ id, checksum }));
  return [{ type: IMAGES_EVENTS.ImagesAdded, data: { repositoryId, images } }];
}

export function setTag(state: RepositoryImagesState, repositoryId: string, tag: unknown, id: unknown): RepositoryImagesEvent[] {
  const name = tagName(tag);
  const image = imageId(id);
  if (!state.images.has(image)) throw new DomainError('not-found', 'Image not found');
  if (state.tags.get(name) === image) return [];
  return [{ type: IMAGES_EVENTS.TagSet, data: { repositoryId, tag: name, imageId: image } }];
}

export function deleteTag(state: RepositoryImagesState, repositoryId: string, tag: unknown): RepositoryImagesEvent[] {
  const name = tagName(tag);
  if (!state.tags.has(name)) throw new DomainError('not-found', 'Tag not found');
  return [{ type: IMAGES_EVENTS.TagDeleted, data: { repositoryId, tag: name } }];
}
