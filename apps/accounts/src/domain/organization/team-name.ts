import { DomainError } from '@dockyard/contracts';

const TEAM = /^[a-z0-9_-]{1,30}$/;
const REPOSITORY = /^[a-z0-9_.-]{1,255}$/;

/** A team's name inside its organization: 1–30 of [a-z0-9_-] (it is a path segment of the API). */
export function teamName(raw: unknown): string {
  if (typeof raw !== 'string' || !TEAM.test(raw)) throw new DomainError('invalid', 'Team name must be 1 to 30 of [a-z0-9_-]');
  return raw;
}

/** A repository name as repositories have them (the namespace is the organization). */
export function teamRepositoryName(raw: unknown): string {
  if (typeof raw !== 'string' || !REPOSITORY.test(raw) || raw === '.' || raw === '..') {
    throw new DomainError('invalid', 'Repository name must be 1 to 255 of [a-z0-9-_.]');
  }
  return raw;
}
