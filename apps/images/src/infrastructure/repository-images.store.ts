import { DomainError, MessageMetadata, WrittenStream, repositoryImagesStreamId } from '@dockyard/contracts';
import { EventStore, WrongExpectedVersionError } from '@dockyard/eventstore';
import { RepositoryImagesEvent, RepositoryImagesState, foldRepositoryImages } from '../domain/repository-images';

export const IMAGES_SCHEMA = 'images';

/** RepositoryImages aggregates (one stream per repository incarnation). */
export class RepositoryImagesStore {
  constructor(private readonly store: EventStore) {}

  /** load → decide → append, decided again on fresh state when another writer got there first. */
  async change(
    repositoryId: string,
    decide: (state: RepositoryImagesState) => RepositoryImagesEvent[],
    metadata: MessageMetadata,
  ): Promise<WrittenStream | null> {
    const streamId = repositoryImagesStreamId(repositoryId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const stored = await this.store.readStream(streamId);
      const state = foldRepositoryImages(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as RepositoryImagesEvent));
      const events = decide(state);
      if (events.length === 0) return null;
      try {
        const result = await this.store.append(
          streamId,
          stored.length,
          events.map((e) => ({ type: e.type, data: { ...e.data } })),
          metadata,
        );
        return { source: 'images', streamId, streamVersion: result.streamVersion };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
      }
    }
    throw new DomainError('conflict', 'The repository’s images were changed concurrently, try again');
  }
}
