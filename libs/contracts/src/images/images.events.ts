/** Facts the images service publishes on `dockyard.images.events`. */
export const IMAGES_EVENTS = {
  ImagesAdded: 'ImagesAdded',
  TagSet: 'TagSet',
  TagDeleted: 'TagDeleted',
} as const;

export interface IndexImage {
  id: string;
  /** '' while unknown: the docker 1.x client never sends checksums to the index. */
  checksum: string;
}

/** New ids, or known ids whose checksum became known: the merge of docker-registry (never removes). */
export interface ImagesAddedV1 {
  repositoryId: string;
  images: IndexImage[];
}
export interface TagSetV1 {
  repositoryId: string;
  tag: string;
  imageId: string;
}
export interface TagDeletedV1 {
  repositoryId: string;
  tag: string;
}

export const repositoryImagesStreamId = (repositoryId: string): string => `images-${repositoryId}`;
