import { MountCandidate, chooseMountSource } from './mount-source';

const copy = (namespace: string, blobKey: string, fetched: boolean, storedAt = 1): MountCandidate => ({ namespace, blobKey, fetched, storedAt });

describe('chooseMountSource', () => {
  it('given no readable identical copy, then nothing is mounted and nothing is awaited', () => {
    expect(chooseMountSource([])).toEqual({ source: null, awaitFetch: false });
  });

  it('given a library copy, then it is mounted without a prior fetch, even beside look-alikes', () => {
    expect(chooseMountSource([copy('mallory', 'evil', false, 1), copy('library', 'real', false, 2)])).toEqual({ source: 'library', awaitFetch: false });
  });

  it('given only copies the pusher never fetched (a squatter’s look-alike), then no mount, and the fetch may be awaited', () => {
    expect(chooseMountSource([copy('mallory', 'evil', false)])).toEqual({ source: null, awaitFetch: true });
  });

  it('given a copy the pusher fetched, then that copy is mounted, whatever other copies hold', () => {
    expect(chooseMountSource([copy('mallory', 'evil', false, 1), copy('alice', 'real', true, 2)])).toEqual({ source: 'alice', awaitFetch: false });
  });

  it('given fetched copies with the same layer, then the earliest stored is mounted', () => {
    expect(chooseMountSource([copy('bob_1', 'real', true, 5), copy('alice', 'real', true, 2)])).toEqual({ source: 'alice', awaitFetch: false });
  });

  it('given fetched copies with different layers, then no mount (which bytes the pusher holds is unknown)', () => {
    expect(chooseMountSource([copy('alice', 'real', true), copy('mallory', 'evil', true)])).toEqual({ source: null, awaitFetch: false });
  });
});
