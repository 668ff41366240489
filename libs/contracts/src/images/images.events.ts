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

/** Facts of one image (ids are global): its json, its layer, its verified checksum. */
export const IMAGE_EVENTS = {
  ImageJsonStored: 'ImageJsonStored',
  LayerUploaded: 'LayerUploaded',
  LayerRejected: 'LayerRejected',
  ChecksumVerified: 'ChecksumVerified',
} as const;

export interface ImageJsonStoredV1 {
  imageId: string;
  parent: string | null;
  /** The image json exactly as the client sent it (its bytes are part of the payload checksum). */
  json: string;
}
export interface LayerUploadedV1 {
  imageId: string;
  blobKey: string;
  size: number;
  /** `sha256:` + sha256(json + "\n" + layer), what the client's X-Docker-Checksum-Payload must say. */
  payloadChecksum: string;
}
export interface LayerRejectedV1 {
  imageId: string;
  reason: string;
}
/** The image is complete: visible to pulls, and a second upload is refused. */
export interface ChecksumVerifiedV1 {
  imageId: string;
  checksum: string;
  payloadChecksum: string;
}

export const imageStreamId = (imageId: string): string => `image-${imageId}`;
