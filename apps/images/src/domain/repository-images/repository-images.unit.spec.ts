import { codeOf } from '@dockyard/testing';
import { deleteTag, foldRepositoryImages, setTag, updateIndex } from './index';
import { RepositoryImagesEvent } from './repository-images.events';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const after = (...events: RepositoryImagesEvent[]) => foldRepositoryImages(events);

describe('RepositoryImages aggregate', () => {
  it('merges like docker-registry: union by id, one entry per id however many tags name it', () => {
    const events = updateIndex(after(), 'r', [{ id: A }, { id: B }, { id: B }]);
    expect(events).toEqual([{ type: 'ImagesAdded', data: { repositoryId: 'r', images: [{ id: A, checksum: '' }, { id: B, checksum: '' }] } }]);
  });
  it('keeps the list on [] and on ids it knows', () => {
    const state = after(...updateIndex(after(), 'r', [{ id: A }]));
    expect(updateIndex(state, 'r', [])).toEqual([]);
    expect(updateIndex(state, 'r', [{ id: A }])).toEqual([]);
  });
  it('fills in a checksum once, and keeps a known one', () => {
    const state = after(...updateIndex(after(), 'r', [{ id: A }]));
    const filled = updateIndex(state, 'r', [{ id: A, checksum: 'sha256:1' }]);
    expect(filled[0].data).toEqual({ repositoryId: 'r', images: [{ id: A, checksum: 'sha256:1' }] });
    expect(updateIndex(after(...updateIndex(state, 'r', [{ id: A, checksum: 'sha256:1' }])), 'r', [{ id: A, checksum: 'sha256:2' }])).toEqual([]);
  });
  it('rejects invalid ids', () => {
    expect(codeOf(() => updateIndex(after(), 'r', [{ id: 'nope' }]))).toBe('invalid');
    expect(codeOf(() => updateIndex(after(), 'r', [{ id: 5 }]))).toBe('invalid');
  });
  it('refuses the whole list when a checksum is not a string (nothing is added)', () => {
    expect(codeOf(() => updateIndex(after(), 'r', [{ id: A }, { id: B, checksum: 123 }]))).toBe('invalid');
    expect(codeOf(() => updateIndex(after(), 'r', [{ id: A, checksum: null }]))).toBe('invalid');
  });
  it('tags only images of the repository; moves and deletes tags', () => {
    const state = after(...updateIndex(after(), 'r', [{ id: A }, { id: B }]));
    expect(codeOf(() => setTag(state, 'r', 'latest', 'c'.repeat(64)))).toBe('not-found');
    expect(codeOf(() => setTag(state, 'r', '-bad', A))).toBe('invalid');
    const tagged = after(...updateIndex(after(), 'r', [{ id: A }, { id: B }]), ...setTag(state, 'r', 'latest', A));
    expect(tagged.tags.get('latest')).toBe(A);
    expect(setTag(tagged, 'r', 'latest', A)).toEqual([]);
    expect(setTag(tagged, 'r', 'latest', B)[0].data).toEqual({ repositoryId: 'r', tag: 'latest', imageId: B });
    expect(deleteTag(tagged, 'r', 'latest')).toEqual([{ type: 'TagDeleted', data: { repositoryId: 'r', tag: 'latest' } }]);
    expect(codeOf(() => deleteTag(tagged, 'r', 'v9'))).toBe('not-found');
  });
});
