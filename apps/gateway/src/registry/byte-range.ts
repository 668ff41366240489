import { ByteRange } from '@dockyard/blobstore';

/**
 * Reads a single `Range: bytes=...` header against a size: undefined when absent (the whole body),
 * 'unsatisfiable' when it cannot be served (416). Multi-range requests are served whole, which HTTP
 * allows; the docker client only ever asks for `bytes=<n>-` to resume.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return header.includes(',') ? undefined : 'unsatisfiable';
  const [, from, to] = match;
  if (from === '' && to === '') return 'unsatisfiable';
  let start: number;
  let end: number;
  if (from === '') {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) return 'unsatisfiable';
  return { start, end };
}
