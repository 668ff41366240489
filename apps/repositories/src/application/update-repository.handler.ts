import { MessageMetadata, UpdateRepositoryCommand, UpdateRepositoryReply } from '@dockyard/contracts';
import { retryOnConflict } from '@dockyard/eventstore';
import { RepositoryName, update, validateMetadata } from '../domain/repository';
import { RepositoryStore } from '../infrastructure/repository.store';

export class UpdateRepositoryHandler {
  constructor(private readonly repositories: RepositoryStore) {}

  async handle(command: UpdateRepositoryCommand, metadata: MessageMetadata): Promise<UpdateRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    const changes = validateMetadata(command.changes ?? {});
    return retryOnConflict(async () => {
      const { state, version } = await this.repositories.loadByName(name);
      const events = update(state, { actor: command.actor, name, changes });
      if (events.length === 0) return null;
      return this.repositories.append(state.repositoryId, version, events, metadata);
    });
  }
}
