import { IMAGES_EVENTS, ImagesAddedV1, TagDeletedV1, TagSetV1 } from '@dockyard/contracts';

export type RepositoryImagesEvent =
  | { type: typeof IMAGES_EVENTS.ImagesAdded; data: ImagesAddedV1 }
  | { type: typeof IMAGES_EVENTS.TagSet; data: TagSetV1 }
  | { type: typeof IMAGES_EVENTS.TagDeleted; data: TagDeletedV1 };
