import { WrittenStream } from '../event-envelope';

export const IMAGES_COMMANDS = {
  UpdateIndex: 'images.update-index',
  SetTag: 'images.set-tag',
  DeleteTag: 'images.delete-tag',
} as const;

export interface UpdateIndexCommand {
  repositoryId: string;
  /** As the client sent it: entries with a string `id`, optional `checksum`, anything else ignored. */
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
