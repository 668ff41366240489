import { parseByteRange } from './byte-range';

describe('parseByteRange', () => {
  it('reads the forms docker and curl send: a-b, a-, -n', () => {
    expect(parseByteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseByteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseByteRange(undefined, 100)).toBeUndefined();
  });

  it('takes the unit in any case, and ignores a unit it does not know (RFC 9110; found in review: both were 416)', () => {
    expect(parseByteRange('Bytes=0-1', 100)).toEqual({ start: 0, end: 1 });
    expect(parseByteRange('BYTES=5-', 10)).toEqual({ start: 5, end: 9 });
    expect(parseByteRange('items=0-1', 100)).toBeUndefined();
  });

  it('refuses what cannot be served from bytes: past the end, empty, malformed', () => {
    expect(parseByteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=x-1', 100)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=0-1,5-6', 100)).toBeUndefined(); // several ranges: served whole
  });
});
