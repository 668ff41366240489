import { IMAGE_EVENTS } from '@dockyard/contracts';
import { ImageEvent } from './image.events';

/**
 * One namespace's copy of an image: json stored → layer uploaded → checksum verified (complete),
 * or mounted complete at once from another namespace's identical image.
 */
export interface ImageState {
  json: string | null;
  parent: string | null;
  layer: { blobKey: string; size: number; payloadChecksum: string } | null;
  checksum: string | null;
  complete: boolean;
}

export const initialImageState = (): ImageState => ({ json: null, parent: null, layer: null, checksum: null, complete: false });

export function evolve(state: ImageState, event: ImageEvent): ImageState {
  switch (event.type) {
    case IMAGE_EVENTS.ImageJsonStored:
      return { ...state, json: event.data.json, parent: event.data.parent, layer: null };
    case IMAGE_EVENTS.LayerUploaded:
      return { ...state, layer: { blobKey: event.data.blobKey, size: event.data.size, payloadChecksum: event.data.payloadChecksum } };
    case IMAGE_EVENTS.LayerRejected:
      return { ...state, layer: null };
    case IMAGE_EVENTS.ChecksumVerified:
      return { ...state, checksum: event.data.checksum, complete: true };
    case IMAGE_EVENTS.ImageMounted: {
      const d = event.data;
      return {
        json: d.json,
        parent: d.parent,
        layer: { blobKey: d.blobKey, size: d.size, payloadChecksum: d.payloadChecksum },
        checksum: d.checksum,
        complete: true,
      };
    }
  }
}

export const foldImage = (events: ImageEvent[]): ImageState => events.reduce(evolve, initialImageState());
