import { randomUUID } from 'node:crypto';
import { CreateRepositoryCommand, CreateRepositoryReply, DomainError, MessageMetadata } from '@dockyard/contracts';
import { RepositoryName, create, mayWrite, validateMetadata } from '../domain/repository';
import { RepositoryStore } from '../infrastructure/repository.store';

export class CreateRepositoryHandler {
  constructor(private readonly repositories: RepositoryStore) {}

  async handle(command: CreateRepositoryCommand, metadata: MessageMetadata): Promise<CreateRepositoryReply> {
    const name = RepositoryName.create(command.namespace, command.name);
    const changes = validateMetadata(command.metadata ?? {});
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.repositories.loadByName(name);
      if (existing.state.exists && !existing.state.deleted) {
        if (command.existing === 'refuse') throw new DomainError('already-exists', 'Repository already exists');
        // The docker push re-sends the create for an existing repository: fine for whoever may write.
        if (!mayWrite(command.actor, name, 'write')) throw new DomainError('forbidden', 'You may not push to this repository');
        return { repositoryId: existing.state.repositoryId, created: false, written: null };
      }
      const repositoryId = randomUUID();
      const events = create(existing.state, { actor: command.actor, name, repositoryId, metadata: changes });
      try {
        const written = await this.repositories.append(repositoryId, 0, events, metadata);
        return { repositoryId, created: true, written };
      } catch (error) {
        // Someone created the name meanwhile: look again (reuse it, or refuse).
        if (!(error instanceof DomainError && error.code === 'already-exists')) throw error;
      }
    }
    throw new DomainError('conflict', 'The repository was changed concurrently, try again');
  }
}
