import { DomainError } from '@dockyard/contracts';

/** The image list a docker client sends: entries with a string `id` (seed 000, protocol.md §3 row 2). */
export function imageList(body: unknown): { id: string; checksum?: string }[] {
  if (!Array.isArray(body)) throw new DomainError('invalid', 'The body must be a JSON array of images');
  return body.map((entry) => {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') {
      throw new DomainError('invalid', 'Every image needs a string id');
    }
    const { id, checksum } = entry as { id: string; checksum?: unknown };
    return typeof checksum === 'string' ? { id, checksum } : { id };
  });
}
