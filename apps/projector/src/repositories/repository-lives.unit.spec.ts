import { Life, placeLife } from './repository-lives';

const life = (repositoryId: string, createdPosition: number): Life => ({
  repositoryId,
  createdPosition: BigInt(createdPosition),
});

describe('the lives of a repository name (ordered by the owner, not by arrival)', () => {
  it('given no life of the name, when one is created, then it is shown', () => {
    expect(placeLife(undefined, life('a', 10), false)).toEqual({ kind: 'live' });
  });

  it('given an older life shown, when a newer life is created, then the older one is evicted (its deletion may not have arrived)', () => {
    expect(placeLife(life('a', 10), life('b', 30), false)).toEqual({ kind: 'live', evict: 'a' });
  });

  it('given a newer life known, when the RepositoryCreated of an older life arrives late, then it never replaces it', () => {
    expect(placeLife(life('b', 30), life('a', 10), false)).toEqual({ kind: 'superseded', by: 'b' });
  });

  it('given a newer life that was itself deleted, a late older life is still dead', () => {
    // the newest known life stays the reference after its deletion: nothing older comes back
    expect(placeLife(life('b', 30), life('a', 10), false).kind).toBe('superseded');
  });

  it('given the life is the newest known (a replay), then it stays shown', () => {
    expect(placeLife(life('a', 10), life('a', 10), false)).toEqual({ kind: 'live' });
  });

  it('given its own deletion was already applied, then a RepositoryCreated does not bring it back', () => {
    expect(placeLife(undefined, life('a', 10), true)).toEqual({ kind: 'deleted' });
    expect(placeLife(life('a', 10), life('a', 10), true)).toEqual({ kind: 'deleted' });
  });

  it('orders by position beyond the range of a JavaScript number', () => {
    const big = (n: bigint): Life => ({ repositoryId: `r${n}`, createdPosition: n });
    expect(placeLife(big(2n ** 60n + 1n), big(2n ** 60n), false).kind).toBe('superseded');
    expect(placeLife(big(2n ** 60n), big(2n ** 60n + 1n), false)).toEqual({
      kind: 'live',
      evict: `r${2n ** 60n}`,
    });
  });
});
