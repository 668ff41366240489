import { DomainError, isImageScope } from '@dockyard/contracts';
import { imageId } from '../repository-images/image-id';

/**
 * An image is identified by (namespace, id): each namespace has its own copy of an id, and in an
 * organization each repository (`org/name`), since teams' rights are per repository.
 */
export interface ImageRef {
  namespace: string;
  id: string;
}

/** A namespace as repositories have them (a username or `library`), or an organization's repository `org/name`. */
export const imageNamespace = (raw: unknown): string => {
  if (!isImageScope(raw)) throw new DomainError('invalid', 'Invalid namespace');
  return raw;
};

export const imageRef = (namespace: unknown, id: unknown): ImageRef => ({ namespace: imageNamespace(namespace), id: imageId(id) });
