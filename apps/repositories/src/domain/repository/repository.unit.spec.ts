import { codeOf } from '@dockyard/testing';
import { RepositoryName, create, foldRepository, mayWrite, remove, update, validateMetadata } from './index';
import { RepositoryEvent } from './repository.events';

const alice = { username: 'alice_01', admin: false };
const admin = { username: 'root_adm', admin: true };
const web = RepositoryName.create('alice_01', 'web');
const created = (): RepositoryEvent[] => create(foldRepository([]), { actor: alice, name: web, repositoryId: 'r1', metadata: {} });

describe('Repository aggregate', () => {
  it('is created in its user’s namespace with default metadata', () => {
    expect(created()).toEqual([
      {
        type: 'RepositoryCreated',
        data: {
          repositoryId: 'r1',
          namespace: 'alice_01',
          name: 'web',
          kind: 'user',
          createdBy: 'alice_01',
          description: '',
          fullDescription: '',
          isPublic: true,
          logo: 'default-icon.jpg',
        },
      },
    ]);
  });

  it('only the namespace’s user or an admin may create; library only admins', () => {
    const library = RepositoryName.create('library', 'busybox');
    expect(codeOf(() => create(foldRepository([]), { actor: { username: 'bob_0001', admin: false }, name: web, repositoryId: 'r', metadata: {} }))).toBe('forbidden');
    expect(codeOf(() => create(foldRepository([]), { actor: alice, name: library, repositoryId: 'r', metadata: {} }))).toBe('forbidden');
    expect(create(foldRepository([]), { actor: admin, name: library, repositoryId: 'r', metadata: {} })[0].data).toMatchObject({ kind: 'library' });
    expect(mayWrite(admin, web)).toBe(true);
  });

  it('in an organization’s namespace: admin permission creates and changes, write only pushes', () => {
    const team = RepositoryName.create('acme_org', 'web');
    const owner = { username: 'olga_001', admin: false, permission: 'admin' as const };
    const writer = { username: 'walt_001', admin: false, permission: 'write' as const };
    const reader = { username: 'rita_001', admin: false, permission: 'read' as const };
    expect(create(foldRepository([]), { actor: owner, name: team, repositoryId: 'r', metadata: {} })).toHaveLength(1);
    expect(codeOf(() => create(foldRepository([]), { actor: writer, name: team, repositoryId: 'r', metadata: {} }))).toBe('forbidden');
    expect([mayWrite(writer, team, 'write'), mayWrite(writer, team), mayWrite(reader, team, 'write')]).toEqual([true, false, false]);
    expect(mayWrite({ ...owner, permission: 'admin' }, RepositoryName.create('library', 'x'))).toBe(false);
  });

  it('refuses a second creation of a live repository, allows one after deletion', () => {
    const state = foldRepository(created());
    expect(codeOf(() => create(state, { actor: alice, name: web, repositoryId: 'r2', metadata: {} }))).toBe('already-exists');
    const deleted = foldRepository([...created(), ...remove(state, { actor: alice, name: web })]);
    expect(create(deleted, { actor: alice, name: web, repositoryId: 'r2', metadata: {} })).toHaveLength(1);
  });

  it('records only changed metadata; nothing when nothing changes', () => {
    const state = foldRepository(created());
    expect(update(state, { actor: alice, name: web, changes: { description: 'new', isPublic: true } })).toEqual([
      { type: 'RepositoryUpdated', data: { repositoryId: 'r1', namespace: 'alice_01', name: 'web', changes: { description: 'new' } } },
    ]);
    expect(update(state, { actor: alice, name: web, changes: { isPublic: true } })).toEqual([]);
    expect(codeOf(() => update(state, { actor: { username: 'bob_0001', admin: false }, name: web, changes: { logo: 'x' } }))).toBe('forbidden');
  });

  it('deletion is a tombstone; a deleted repository cannot be changed or deleted again', () => {
    const events = [...created(), ...remove(foldRepository(created()), { actor: alice, name: web })];
    expect(events.map((e) => e.type)).toEqual(['RepositoryCreated', 'RepositoryDeleted']);
    const state = foldRepository(events);
    expect(codeOf(() => remove(state, { actor: alice, name: web }))).toBe('not-found');
    expect(codeOf(() => update(state, { actor: alice, name: web, changes: { logo: 'x' } }))).toBe('not-found');
  });
});

describe('repository value objects', () => {
  it.each([
    ['abc', 'web'],
    ['Alice', 'web'],
    ['alice_01', 'Web'],
    ['alice_01', 'has space'],
    ['alice_01', 'images'],
    ['alice_01', ''],
    [5, 'web'],
    ['alice_01', 'a'.repeat(247)],
    ['library', 'a'.repeat(248)],
    ['a'.repeat(31), 'web'],
    ['alice_01', 'we\u0000b'],
  ])('rejects %p/%p', (namespace, name) => expect(codeOf(() => RepositoryName.create(namespace, name))).toBe('invalid'));
  it('accepts library and dotted names', () => {
    expect(RepositoryName.create('library', 'my-app_1.0').fullName).toBe('library/my-app_1.0');
  });
  it('accepts long names up to 255 characters for namespace/name in all (docker 1.x)', () => {
    expect(RepositoryName.create('alice_01', 'a'.repeat(246)).fullName).toHaveLength(255);
    expect(RepositoryName.create('library', 'a'.repeat(247)).fullName).toHaveLength(255);
    expect(RepositoryName.create('a'.repeat(30), 'web').namespace).toHaveLength(30);
  });
  it('validates metadata types and lengths', () => {
    expect(codeOf(() => validateMetadata({ isPublic: 'yes' }))).toBe('invalid');
    expect(codeOf(() => validateMetadata({ description: 'x'.repeat(1001) }))).toBe('invalid');
    expect(validateMetadata({ description: 'ok', isPublic: false })).toEqual({ description: 'ok', isPublic: false });
  });
});
