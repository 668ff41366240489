import { DomainError, REPOSITORIES_EVENTS } from '@dockyard/contracts';
import { RepositoryState } from '../repository';
import { StarEvent } from './star.events';
import { StarState } from './star.state';

/**
 * A user stars or unstars a live repository. Idempotent: starring what is starred (or unstarring
 * what is not) records nothing, so a star counts once however often it is sent. Who may see the
 * repository is the gateway's read-side check (a private repository is "not found" to outsiders).
 */
export function setStar(
  star: StarState,
  repository: RepositoryState,
  command: { username: string; starred: boolean },
): StarEvent[] {
  if (!repository.exists || repository.deleted) throw new DomainError('not-found', 'Repository not found');
  if (star.starred === command.starred) return [];
  const data = {
    repositoryId: repository.repositoryId,
    namespace: repository.namespace,
    name: repository.name,
    username: command.username,
  };
  return [{ type: command.starred ? REPOSITORIES_EVENTS.RepositoryStarred : REPOSITORIES_EVENTS.RepositoryUnstarred, data }];
}
