import { IMAGES_EVENTS } from '@dockyard/contracts';
import { RepositoryImagesEvent } from './repository-images.events';

/** One repository's image list (id → checksum, '' when unknown) and tags (tag → image id). */
export interface RepositoryImagesState {
  images: Map<string, string>;
  tags: Map<string, string>;
}

export const initialRepositoryImagesState = (): RepositoryImagesState => ({ images: new Map(), tags: new Map() });

export function evolve(state: RepositoryImagesState, event: RepositoryImagesEvent): RepositoryImagesState {
  switch (event.type) {
    case IMAGES_EVENTS.ImagesAdded: {
      const images = new Map(state.images);
      for (const image of event.data.images) images.set(image.id, image.checksum);
      return { ...state, images };
    }
    case IMAGES_EVENTS.TagSet:
      return { ...state, tags: new Map(state.tags).set(event.data.tag, event.data.imageId) };
    case IMAGES_EVENTS.TagDeleted: {
      const tags = new Map(state.tags);
      tags.delete(event.data.tag);
      return { ...state, tags };
    }
  }
}

export const foldRepositoryImages = (events: RepositoryImagesEvent[]): RepositoryImagesState =>
  events.reduce(evolve, initialRepositoryImagesState());
