import { DomainError, isNamespace } from '@dockyard/contracts';
import { imageId } from '../repository-images/image-id';

/** An image is identified by (namespace, id): each namespace has its own copy of an id. */
export interface ImageRef {
  namespace: string;
  id: string;
}

/** A namespace as repositories have them: a username (4 to 30 of [a-z0-9_]) or `library`. */
export const imageNamespace = (raw: unknown): string => {
  if (!isNamespace(raw)) throw new DomainError('invalid', 'Invalid namespace');
  return raw;
};

export const imageRef = (namespace: unknown, id: unknown): ImageRef => ({ namespace: imageNamespace(namespace), id: imageId(id) });
