import { WrittenStream } from '../event-envelope';

export const IMAGES_COMMANDS = {
  UpdateIndex: 'images.update-index',
  SetTag: 'images.set-tag',
  DeleteTag: 'images.delete-tag',
} as const;

export interface UpdateIndexCommand {
  repositoryId: string;
  /** The client's list, checked by the gateway: a 64-hex `id` and an optional string `checksum` each (`Tag` dropped). */
  images: { id: string; checksum?: string }[];
}
export interface SetTagCommand {
  repositoryId: string;
  tag: string;
  imageId: string;
}
export interface DeleteTagCommand {
  repositoryId: string;
  tag: string;
}
export type ImagesReply = WrittenStream | null;

/** Per image, always in the writer's own namespace (the gateway decides which one). */
export const IMAGE_COMMANDS = {
  StoreJson: 'images.store-image-json',
  RecordLayer: 'images.record-layer',
  VerifyChecksum: 'images.verify-checksum',
  MountImage: 'images.mount-image',
} as const;

export interface StoreImageJsonCommand {
  namespace: string;
  imageId: string;
  json: string;
}
export interface RecordLayerCommand {
  namespace: string;
  imageId: string;
  blobKey: string;
  size: number;
  payloadChecksum: string;
  /**
   * The image json the payload checksum was computed over (json + "\n" + layer). The layer is
   * recorded only if the copy still holds that json: another `PUT json` during the upload must not
   * leave one push's json with another's bytes. Absent from gateways older than this field.
   */
  hashedJson?: string;
}
export interface VerifyChecksumCommand {
  namespace: string;
  imageId: string;
  /** X-Docker-Checksum (a tarsum: recorded, not verifiable without re-implementing tarsum). */
  checksum: string;
  /** X-Docker-Checksum-Payload: verified against what was uploaded. */
  payloadChecksum: string;
}
/**
 * Makes `imageId` complete in `namespace` from `sourceNamespace`'s complete copy, whose stored json
 * must equal `json` byte for byte. The gateway sends it only when the pusher may read the source.
 */
export interface MountImageCommand {
  namespace: string;
  imageId: string;
  sourceNamespace: string;
  json: string;
}
