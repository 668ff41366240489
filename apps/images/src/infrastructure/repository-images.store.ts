import { MessageMetadata, WrittenStream, imageStreamId, repositoryImagesStreamId } from '@dockyard/contracts';
import { EventStore, retryOnConflict } from '@dockyard/eventstore';
import { RepositoryImagesEvent, RepositoryImagesState, foldRepositoryImages } from '../domain/repository-images';
import { ImageEvent, ImageRef, ImageState, foldImage } from '../domain/image';

export const IMAGES_SCHEMA = 'images';

/** load → decide → append on one stream, decided again on fresh state when another writer got there first (`retryOnConflict`). */
export function changeStream<TEvent extends { type: string; data: object }, TState>(
  store: EventStore,
  streamId: string,
  fold: (events: TEvent[]) => TState,
  decide: (state: TState) => TEvent[],
  metadata: MessageMetadata,
): Promise<(WrittenStream & { events: TEvent[] }) | null> {
  return retryOnConflict(async () => {
    const stored = await store.readStream(streamId);
    const state = fold(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as TEvent));
    const events = decide(state);
    if (events.length === 0) return null;
    const result = await store.append(
      streamId,
      stored.length,
      events.map((e) => ({ type: e.type, data: { ...(e.data as Record<string, unknown>) } })),
      metadata,
    );
    return { source: 'images' as const, streamId, streamVersion: result.streamVersion, events };
  });
}

/** RepositoryImages aggregates (one stream per repository incarnation). */
export class RepositoryImagesStore {
  constructor(private readonly store: EventStore) {}

  async change(
    repositoryId: string,
    decide: (state: RepositoryImagesState) => RepositoryImagesEvent[],
    metadata: MessageMetadata,
  ): Promise<WrittenStream | null> {
    const written = await changeStream(this.store, repositoryImagesStreamId(repositoryId), foldRepositoryImages, decide, metadata);
    return written && { source: written.source, streamId: written.streamId, streamVersion: written.streamVersion };
  }
}

/** Image aggregates: one stream per (namespace, image id), `image-<namespace>/<id>`. */
export class ImageStore {
  constructor(private readonly store: EventStore) {}

  change(ref: ImageRef, decide: (state: ImageState) => ImageEvent[], metadata: MessageMetadata) {
    return changeStream(this.store, imageStreamId(ref.namespace, ref.id), foldImage, decide, metadata);
  }

  async load(ref: ImageRef): Promise<ImageState> {
    const stored = await this.store.readStream(imageStreamId(ref.namespace, ref.id));
    return foldImage(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as ImageEvent));
  }
}
