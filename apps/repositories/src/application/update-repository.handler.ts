import { DomainError, MessageMetadata, UpdateRepositoryCommand, UpdateRepositoryReply } from '@dockyard/contracts';
import { WrongExpectedVersionError } from '@dockyard/eventstore';
import { RepositoryName, update, validateMetadata } from '../domain/repository';
import { RepositoryStore } from '../infrastructure/repository.store';

export class UpdateRepositoryHandler {
  constructor(private readonly repositories: RepositoryStore) {}

  async handle(command: UpdateRepositoryCommand, metadata: MessageMetadata): Promise<UpdateRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    const changes = validateMetadata(command.changes ?? {});
    for (let attempt = 0; attempt < 5; attempt++) {
      const { state, version } = await this.repositories.loadByName(name);
      const events = update(state, { actor: command.actor, name, changes });
      if (events.length === 0) return null;
      try {
        return await this.repositories.append(state.repositoryId, version, events, metadata);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
    }
    throw new DomainError('conflict', 'The repository was changed concurrently, try again');
  }
}
