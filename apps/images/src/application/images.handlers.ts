import {
  DeleteTagCommand,
  DomainError,
  ImagesReply,
  MessageMetadata,
  SetTagCommand,
  UpdateIndexCommand,
} from '@dockyard/contracts';
import { deleteTag, setTag, updateIndex } from '../domain/repository-images';
import { KnownRepositories } from '../infrastructure/known-repositories';
import { RepositoryImagesStore } from '../infrastructure/repository-images.store';

/** The images service's use cases: each first checks that the repository is live. */
export class ImagesHandlers {
  constructor(
    private readonly store: RepositoryImagesStore,
    private readonly repositories: KnownRepositories,
  ) {}

  async updateIndex(command: UpdateIndexCommand, metadata: MessageMetadata): Promise<ImagesReply> {
    if (!Array.isArray(command.images)) throw new DomainError('invalid', 'The image list must be a JSON array');
    await this.repositories.assertLive(command.repositoryId);
    return this.store.change(command.repositoryId, (state) => updateIndex(state, command.repositoryId, command.images), metadata);
  }

  async setTag(command: SetTagCommand, metadata: MessageMetadata): Promise<ImagesReply> {
    await this.repositories.assertLive(command.repositoryId);
    return this.store.change(
      command.repositoryId,
      (state) => setTag(state, command.repositoryId, command.tag, command.imageId),
      metadata,
    );
  }

  async deleteTag(command: DeleteTagCommand, metadata: MessageMetadata): Promise<ImagesReply> {
    await this.repositories.assertLive(command.repositoryId);
    return this.store.change(command.repositoryId, (state) => deleteTag(state, command.repositoryId, command.tag), metadata);
  }
}
