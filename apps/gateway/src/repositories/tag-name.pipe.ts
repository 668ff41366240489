import { PipeTransform } from '@nestjs/common';
import { DomainError, isTagName } from '@dockyard/contracts';

/** A tag path part, refused with a 400 when it breaks docker's tag rule (the images service's rule too). */
export class TagNamePipe implements PipeTransform<unknown, string> {
  transform(tag: unknown): string {
    if (!isTagName(tag)) throw new DomainError('invalid', 'Invalid tag name');
    return tag;
  }
}
