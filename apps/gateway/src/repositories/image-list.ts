import { IsString } from 'class-validator';
import { DomainError, isImageId } from '@dockyard/contracts';
import { validJsonObject } from '../http/json-body.pipe';
import { OptionalField } from '../http/optional-field';

/**
 * One entry of the image list a docker client sends (`ImgData`: `id`, `checksum`, `Tag`; seed 000,
 * protocol.md §3 row 2). Other fields are ignored, as docker-registry did; wrong types are a 400.
 */
class ImageListEntry {
  @IsString() id!: string;
  @OptionalField() @IsString() checksum?: string;
  @OptionalField() @IsString() Tag?: string;
}

/**
 * The image list of a push, checked whole before any command is sent, so a bad entry writes
 * nothing: an array of entries with a 64-hex `id`, a string `checksum` and `Tag` when present.
 * Only `id` and `checksum` are kept (the index drops `Tag`).
 */
export async function imageList(body: unknown): Promise<{ id: string; checksum?: string }[]> {
  if (!Array.isArray(body)) throw new DomainError('invalid', 'The body must be a JSON array of images');
  const images: { id: string; checksum?: string }[] = [];
  for (const [index, entry] of body.entries()) {
    const { id, checksum } = await validJsonObject(ImageListEntry, entry, `Image ${index + 1} of the list`, true);
    if (!isImageId(id)) throw new DomainError('invalid', `Image ${index + 1} of the list: id must be 64 lower-case hex characters`);
    images.push(checksum === undefined ? { id } : { id, checksum });
  }
  return images;
}
