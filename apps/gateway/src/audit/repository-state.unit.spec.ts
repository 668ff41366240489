import { NO_REPOSITORY, foldRepositoryState } from './repository-state';

const created = (id: string, isPublic = true) => ({
  type: 'RepositoryCreated',
  repository_id: id,
  data: { repositoryId: id, namespace: 'alice_01', name: 'web', description: 'first', fullDescription: '', isPublic, logo: '' },
});
const on = (id: string, type: string, data: Record<string, unknown>) => ({ type, repository_id: id, data: { repositoryId: id, ...data } });

describe('foldRepositoryState (the audit state at an instant)', () => {
  it('is "does not exist" before anything happened', () => {
    expect(foldRepositoryState([])).toEqual(NO_REPOSITORY);
  });

  it('given a repository created, images added, a tag set then moved, shows the last tag and every image once', () => {
    const state = foldRepositoryState([
      created('r1'),
      on('r1', 'ImagesAdded', { images: [{ id: 'a', checksum: '' }, { id: 'b', checksum: '' }] }),
      on('r1', 'ImagesAdded', { images: [{ id: 'b', checksum: 'sum' }] }),
      on('r1', 'TagSet', { tag: 'latest', imageId: 'a' }),
      on('r1', 'TagSet', { tag: 'latest', imageId: 'b' }),
      on('r1', 'TagSet', { tag: 'old', imageId: 'a' }),
      on('r1', 'TagDeleted', { tag: 'old' }),
    ]);
    expect(state).toEqual({
      exists: true,
      repository_id: 'r1',
      is_public: true,
      description: 'first',
      full_description: '',
      images: ['a', 'b'],
      tags: { latest: 'b' },
    });
  });

  it('applies only the metadata a change names', () => {
    const state = foldRepositoryState([created('r1'), on('r1', 'RepositoryUpdated', { changes: { description: 'second', isPublic: false } })]);
    expect(state).toMatchObject({ description: 'second', is_public: false, full_description: '' });
  });

  it('after a deletion the name does not exist, and keeps the id of the life that ended', () => {
    const state = foldRepositoryState([created('r1'), on('r1', 'TagSet', { tag: 'latest', imageId: 'a' }), on('r1', 'RepositoryDeleted', {})]);
    expect(state).toEqual({ ...NO_REPOSITORY, repository_id: 'r1' });
  });

  it('a new life starts empty, and late entries of the old life change nothing', () => {
    const state = foldRepositoryState([
      created('r1'),
      on('r1', 'TagSet', { tag: 'latest', imageId: 'a' }),
      on('r1', 'RepositoryDeleted', {}),
      created('r2', false),
      on('r1', 'TagSet', { tag: 'stale', imageId: 'x' }),
    ]);
    expect(state).toMatchObject({ exists: true, repository_id: 'r2', is_public: false, tags: {}, images: [] });
  });

  it('ignores entries that do not shape the state (pulls, tokens)', () => {
    const state = foldRepositoryState([created('r1'), on('r1', 'RepositoryPulled', { images: ['a'] }), on('r1', 'TokenIssued', { access: 'read' })]);
    expect(state).toMatchObject({ exists: true, images: [], tags: {} });
  });
});
