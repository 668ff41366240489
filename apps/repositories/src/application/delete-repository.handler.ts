import { DeleteRepositoryCommand, DeleteRepositoryReply, DomainError, MessageMetadata } from '@dockyard/contracts';
import { WrongExpectedVersionError } from '@dockyard/eventstore';
import { RepositoryName, remove } from '../domain/repository';
import { RepositoryStore } from '../infrastructure/repository.store';

export class DeleteRepositoryHandler {
  constructor(private readonly repositories: RepositoryStore) {}

  async handle(command: DeleteRepositoryCommand, metadata: MessageMetadata): Promise<DeleteRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, version } = await this.repositories.loadByName(name);
      const events = remove(state, { actor: command.actor, name });
      try {
        const written = await this.repositories.append(state.repositoryId, version, events, metadata);
        return { ...written, repositoryId: state.repositoryId };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
    }
    throw new DomainError('conflict', 'The repository was changed concurrently, try again');
  }
}
