import { DomainError } from '@dockyard/contracts';

const IMAGE_ID = /^[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;

/** A v1 image id: 64 lower-case hex characters. */
export const imageId = (raw: unknown): string => {
  if (typeof raw !== 'string' || !IMAGE_ID.test(raw)) throw new DomainError('invalid', 'Invalid image id');
  return raw;
};

/** A tag name as docker and Quay accept it. */
export const tagName = (raw: unknown): string => {
  if (typeof raw !== 'string' || !TAG.test(raw)) throw new DomainError('invalid', 'Invalid tag name');
  return raw;
};
