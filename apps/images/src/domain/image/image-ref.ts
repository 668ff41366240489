import { DomainError } from '@dockyard/contracts';
import { imageId } from '../repository-images/image-id';

const NAMESPACE = /^[a-z0-9_]{4,30}$/;

/** An image is identified by (namespace, id): each namespace has its own copy of an id. */
export interface ImageRef {
  namespace: string;
  id: string;
}

/** A namespace as repositories have them: a username (4 to 30 of [a-z0-9_]) or `library`. */
export const imageNamespace = (raw: unknown): string => {
  if (typeof raw !== 'string' || (raw !== 'library' && !NAMESPACE.test(raw))) throw new DomainError('invalid', 'Invalid namespace');
  return raw;
};

export const imageRef = (namespace: unknown, id: unknown): ImageRef => ({ namespace: imageNamespace(namespace), id: imageId(id) });
