import { DomainError, RepositoryMetadata } from '@dockyard/contracts';

const LIMITS = { description: 1000, fullDescription: 100_000, logo: 1000 };

export const DEFAULT_METADATA: RepositoryMetadata = {
  description: '',
  fullDescription: '',
  isPublic: true,
  logo: 'default-icon.jpg',
};

/** Checks a partial metadata change: known fields only, right types, bounded lengths. */
export function validateMetadata(changes: Partial<Record<keyof RepositoryMetadata, unknown>>): Partial<RepositoryMetadata> {
  const valid: Partial<RepositoryMetadata> = {};
  for (const key of ['description', 'fullDescription', 'logo'] as const) {
    const value = changes[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new DomainError('invalid', `${key} must be a string`);
    if (value.length > LIMITS[key]) throw new DomainError('invalid', `${key} is longer than ${LIMITS[key]} characters`);
    valid[key] = value;
  }
  if (changes.isPublic !== undefined) {
    if (typeof changes.isPublic !== 'boolean') throw new DomainError('invalid', 'is_public must be a boolean');
    valid.isPublic = changes.isPublic;
  }
  return valid;
}
