import { MessageMetadata, StarRepositoryCommand, StarRepositoryReply, starStreamId } from '@dockyard/contracts';
import { EventStore, appendClaiming, retryOnConflict } from '@dockyard/eventstore';
import { RepositoryName } from '../domain/repository';
import { StarEvent, foldStar, setStar } from '../domain/star';
import { RepositoryStore } from '../infrastructure/repository.store';

/**
 * `PUT` / `DELETE /v1/user/starred/(namespace)/(repo)`: a star is the user's fact about one life of
 * a repository, on its own stream (`star-<repositoryId>-<username>`), so starring never contends
 * with the repository's own writes and a new life of the name starts with no stars.
 */
export class StarRepositoryHandler {
  constructor(
    private readonly repositories: RepositoryStore,
    private readonly store: EventStore,
  ) {}

  async handle(command: StarRepositoryCommand, metadata: MessageMetadata): Promise<StarRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    return retryOnConflict(async () => {
      const { state: repository } = await this.repositories.loadByName(name);
      const streamId = starStreamId(repository.repositoryId, command.actor.username);
      const stored = repository.exists ? await this.store.readStream(streamId) : [];
      const star = foldStar(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as StarEvent));
      const events = setStar(star, repository, { username: command.actor.username, starred: command.starred });
      if (events.length === 0) return null;
      const expectedVersion = stored.length === 0 ? 0 : stored[stored.length - 1].streamVersion;
      const data = events.map((e) => ({ type: e.type, data: { ...e.data } }));
      return appendClaiming(this.store, 'repositories', { streamId, expectedVersion }, data, metadata);
    });
  }
}
