import { ChecksumVerifiedV1, IMAGE_EVENTS, ImageJsonStoredV1, ImageMountedV1, LayerRejectedV1, LayerUploadedV1 } from '@dockyard/contracts';

export type ImageEvent =
  | { type: typeof IMAGE_EVENTS.ImageJsonStored; data: ImageJsonStoredV1 }
  | { type: typeof IMAGE_EVENTS.LayerUploaded; data: LayerUploadedV1 }
  | { type: typeof IMAGE_EVENTS.LayerRejected; data: LayerRejectedV1 }
  | { type: typeof IMAGE_EVENTS.ChecksumVerified; data: ChecksumVerifiedV1 }
  | { type: typeof IMAGE_EVENTS.ImageMounted; data: ImageMountedV1 };
