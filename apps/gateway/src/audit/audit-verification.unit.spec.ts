import { VerifiedStream } from '@dockyard/contracts';
import { AuditedStream, compareWithStores } from './audit-verification';

const audited = (stream: string, hashes: string[]): AuditedStream => ({
  service: 'repositories',
  stream,
  hashes: new Map(hashes.map((hash, i) => [i + 1, hash])),
});
const stored = (streamId: string, hashes: string[], brokenAtVersion: number | null = null): VerifiedStream => ({
  streamId,
  events: hashes.length,
  head: hashes.at(-1) ?? '',
  valid: hashes.length > 0 && brokenAtVersion === null,
  brokenAtVersion,
  hashes,
});
const stores = (...streams: VerifiedStream[]) => new Map(streams.map((s) => [s.streamId, s]));

describe('compareWithStores (the audit copy against the owning services)', () => {
  it('is valid when every chain holds and the copy has the stored hashes', () => {
    expect(compareWithStores([audited('s1', ['a', 'b'])], stores(stored('s1', ['a', 'b', 'c'])))).toEqual({
      valid: true,
      streams: [{ service: 'repositories', stream: 's1', events: 3, head: 'c' }],
      first_invalid: null,
    });
  });

  it('names the version where a store chain breaks (an event edited in place)', () => {
    const result = compareWithStores([audited('s1', ['a']), audited('s2', ['x', 'y'])], stores(stored('s1', ['a']), stored('s2', ['x', 'y'], 2)));
    expect(result.valid).toBe(false);
    expect(result.first_invalid).toEqual({ service: 'repositories', stream: 's2', version: 2, reason: expect.stringMatching(/does not verify/) });
  });

  it('names an audit copy that differs from the store, or holds a version the store lacks', () => {
    expect(compareWithStores([audited('s1', ['a', 'forged'])], stores(stored('s1', ['a', 'b']))).first_invalid).toMatchObject({ version: 2, reason: expect.stringMatching(/differs/) });
    expect(compareWithStores([audited('s1', ['a', 'b'])], stores(stored('s1', ['a']))).first_invalid).toMatchObject({ version: 2 });
    expect(compareWithStores([audited('s1', ['a'])], stores()).first_invalid).toMatchObject({ stream: 's1', version: null });
  });
});
