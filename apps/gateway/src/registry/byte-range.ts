import { ByteRange } from '@dockyard/blobstore';

/**
 * Reads a single `Range: bytes=...` header against a size: undefined when absent (the whole body),
 * 'unsatisfiable' when it cannot be served (416). Multi-range requests are served whole, which HTTP
 * allows; the docker client only ever asks for `bytes=<n>-` to resume.
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  // Range units are case-insensitive, and one the server does not know is ignored (RFC 9110 §14.2):
  // `Bytes=0-1` is a range, `items=0-1` asks for the whole layer.
  const unit = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)=/.exec(header);
  if (unit && unit[1].toLowerCase() !== 'bytes') return undefined;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
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
