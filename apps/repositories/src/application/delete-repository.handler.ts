import { DeleteRepositoryCommand, DeleteRepositoryReply, MessageMetadata } from '@dockyard/contracts';
import { retryOnConflict } from '@dockyard/eventstore';
import { RepositoryName, remove } from '../domain/repository';
import { RepositoryStore } from '../infrastructure/repository.store';

export class DeleteRepositoryHandler {
  constructor(private readonly repositories: RepositoryStore) {}

  async handle(command: DeleteRepositoryCommand, metadata: MessageMetadata): Promise<DeleteRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    return retryOnConflict(async () => {
      const { state, version } = await this.repositories.loadByName(name);
      const events = remove(state, { actor: command.actor, name });
      const written = await this.repositories.append(state.repositoryId, version, events, metadata);
      return { ...written, repositoryId: state.repositoryId };
    });
  }
}
