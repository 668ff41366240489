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

/**
 * Facts of one image in one namespace. An image is identified by (namespace, id): each namespace
 * has its own copy of an id, written only by that namespace (its json, layer and checksum), so
 * nobody can change or squat another namespace's image.
 */
export const IMAGE_EVENTS = {
  ImageJsonStored: 'ImageJsonStored',
  LayerUploaded: 'LayerUploaded',
  LayerRejected: 'LayerRejected',
  ChecksumVerified: 'ChecksumVerified',
  ImageMounted: 'ImageMounted',
} as const;

export interface ImageJsonStoredV1 {
  namespace: string;
  imageId: string;
  parent: string | null;
  /** The image json exactly as the client sent it (its bytes are part of the payload checksum). */
  json: string;
}
export interface LayerUploadedV1 {
  namespace: string;
  imageId: string;
  blobKey: string;
  size: number;
  /** `sha256:` + sha256(json + "\n" + layer), what the client's X-Docker-Checksum-Payload must say. */
  payloadChecksum: string;
}
export interface LayerRejectedV1 {
  namespace: string;
  imageId: string;
  reason: string;
}
/** The image is complete: visible to pulls, and a second upload is refused. */
export interface ChecksumVerifiedV1 {
  namespace: string;
  imageId: string;
  checksum: string;
  payloadChecksum: string;
}
/**
 * The image became complete in `namespace` as a copy of `sourceNamespace`'s complete image whose
 * json is byte-identical to what the pusher sent (a child pushed on a public base). Layer bytes are
 * content-addressed (`blobKey`), so nothing is copied; the copy is the namespace's own from now on.
 */
export interface ImageMountedV1 {
  namespace: string;
  imageId: string;
  sourceNamespace: string;
  parent: string | null;
  json: string;
  blobKey: string;
  size: number;
  checksum: string;
  payloadChecksum: string;
}

export const imageStreamId = (namespace: string, imageId: string): string => `image-${namespace}/${imageId}`;
