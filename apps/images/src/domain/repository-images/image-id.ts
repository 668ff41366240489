import { DomainError, isImageId, isTagName } from '@dockyard/contracts';

/** A v1 image id: 64 lower-case hex characters. */
export const imageId = (raw: unknown): string => {
  if (!isImageId(raw)) throw new DomainError('invalid', 'Invalid image id');
  return raw;
};

/** A tag name as docker and Quay accept it. */
export const tagName = (raw: unknown): string => {
  if (!isTagName(raw)) throw new DomainError('invalid', 'Invalid tag name');
  return raw;
};
