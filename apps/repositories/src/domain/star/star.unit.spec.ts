import { codeOf } from '@dockyard/testing';
import { RepositoryName, create, foldRepository, remove } from '../repository';
import { StarEvent, foldStar, setStar } from './index';

const alice = { username: 'alice_01', admin: false };
const web = RepositoryName.create('alice_01', 'web');
const createdEvents = create(foldRepository([]), { actor: alice, name: web, repositoryId: 'r1', metadata: {} });
const live = foldRepository(createdEvents);

describe('Star (given / when / then)', () => {
  it('given no star, when bob stars, then RepositoryStarred names the repository life and bob', () => {
    expect(setStar(foldStar([]), live, { username: 'bob_0001', starred: true })).toEqual([
      { type: 'RepositoryStarred', data: { repositoryId: 'r1', namespace: 'alice_01', name: 'web', username: 'bob_0001' } },
    ]);
  });

  it('given a star, when starred again, then nothing is recorded (a star counts once)', () => {
    const starred = setStar(foldStar([]), live, { username: 'bob_0001', starred: true });
    expect(setStar(foldStar(starred), live, { username: 'bob_0001', starred: true })).toEqual([]);
  });

  it('given a star, when unstarred, then RepositoryUnstarred; unstarring again records nothing', () => {
    const starred = setStar(foldStar([]), live, { username: 'bob_0001', starred: true });
    const unstarred = setStar(foldStar(starred), live, { username: 'bob_0001', starred: false });
    expect(unstarred.map((e) => e.type)).toEqual(['RepositoryUnstarred']);
    expect(setStar(foldStar([...starred, ...unstarred] as StarEvent[]), live, { username: 'bob_0001', starred: false })).toEqual([]);
  });

  it('given a deleted or unknown repository, when starred, then not-found', () => {
    const deleted = foldRepository([...createdEvents, ...remove(live, { actor: alice, name: web })]);
    expect(codeOf(() => setStar(foldStar([]), deleted, { username: 'bob_0001', starred: true }))).toBe('not-found');
    expect(codeOf(() => setStar(foldStar([]), foldRepository([]), { username: 'bob_0001', starred: true }))).toBe('not-found');
  });
});
