import { VerifiedStream } from '@dockyard/contracts';
import { AuditedStream, compareWithStores, owningRepository } from './audit-verification';

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

  describe("a repository's own streams (found in review: a history with an entry or a link removed, or another repository's stream linked in, verified)", () => {
    const life = '0b7e7f3c-5a39-4d6e-9c1e-2f4a5b6c7d8e';
    const other = '9d1c2b3a-4e5f-4a6b-8c7d-0e1f2a3b4c5d';
    const own = (stream: string, hashes: Map<number, string>, through: number): AuditedStream => ({
      service: 'images',
      stream,
      hashes,
      owned: { repositoryId: owningRepository(stream)!, through },
    });

    it('names the stream streams of one repository are named after', () => {
      expect(owningRepository(`repository-${life}`)).toBe(life);
      expect(owningRepository(`images-${life}`)).toBe(life);
      expect(owningRepository(`image-alice_01/${'a'.repeat(64)}`)).toBeUndefined();
    });

    it('is valid with every applied version in the history; a version the projection has not applied yet may be absent', () => {
      const stream = `images-${life}`;
      const hashes = new Map([[1, 'a'], [2, 'b']]);
      expect(compareWithStores([own(stream, hashes, 2)], stores(stored(stream, ['a', 'b', 'c'])), new Set([life])).valid).toBe(true);
    });

    it('names the first applied version the history lacks', () => {
      const stream = `images-${life}`;
      const result = compareWithStores([own(stream, new Map([[1, 'a'], [3, 'c']]), 3)], stores(stored(stream, ['a', 'b', 'c'])), new Set([life]));
      expect(result.first_invalid).toEqual({ service: 'images', stream, version: 2, reason: expect.stringMatching(/lacks/) });
      const lastGone = compareWithStores([own(stream, new Map([[1, 'a']]), 2)], stores(stored(stream, ['a', 'b'])), new Set([life]));
      expect(lastGone.first_invalid).toMatchObject({ version: 2 });
    });

    it("refuses a stream of a repository that is none of the name's lives", () => {
      const stream = `images-${other}`;
      const result = compareWithStores([own(stream, new Map([[1, 'a']]), 1)], stores(stored(stream, ['a'])), new Set([life]));
      expect(result.first_invalid).toMatchObject({ stream, version: null, reason: expect.stringMatching(/another repository/) });
    });
  });
});
