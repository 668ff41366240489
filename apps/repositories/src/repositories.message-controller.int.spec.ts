import {
  CreateRepositoryReply,
  DeleteRepositoryReply,
  REPOSITORIES_COMMANDS,
  REPOSITORIES_EVENTS,
  isDomainError,
  repositoryStreamId,
} from '@dockyard/contracts';
import {
  EventProbe,
  TestHub,
  countStoredEvents,
  ServiceUnderTest,
  startServiceUnderTest,
  storedEvents,
} from '@dockyard/testing';
import { RepositoriesModule } from './repositories.module';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const alice = { username: 'alice_01', admin: false };
const bob = { username: 'bob_0001', admin: false };

/** The repositories microservice as Nest runs it, on real PostgreSQL and the in-process bus. */
describe('repositories message controller (Nest microservice, PostgreSQL, InProcessBus)', () => {
  let service: ServiceUnderTest;
  let hub: TestHub;
  let probe: EventProbe;

  beforeAll(async () => {
    service = await startServiceUnderTest('repositories', RepositoriesModule, { actor: 'user:alice_01' });
    ({ hub, probe } = service);
  });
  afterAll(() => service?.close());

  const send = <T>(pattern: string, payload: unknown, key?: string) => service.send<T>(pattern, payload, key);
  const failure = (pattern: string, payload: unknown) => service.refusal(pattern, payload);
  const nameClaims = async () =>
    (await hub.pool.query('SELECT full_name, repository_id FROM repositories.name_claims ORDER BY full_name'))
      .rows;

  let webId: string;

  it("creates a repository in the actor's namespace: RepositoryCreated appended with the metadata, claimed and published", async () => {
    const reply = await send<CreateRepositoryReply>(REPOSITORIES_COMMANDS.CreateRepository, {
      actor: alice,
      namespace: 'alice_01',
      name: 'web',
      metadata: { description: 'the web app', isPublic: false },
      existing: 'refuse',
    });
    expect(reply.repositoryId).toMatch(UUID);
    webId = reply.repositoryId;
    expect(reply).toEqual({
      repositoryId: webId,
      created: true,
      written: { source: 'repositories', streamId: repositoryStreamId(webId), streamVersion: 1 },
    });
    const stored = await storedEvents(hub.pool, 'repositories');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      type: REPOSITORIES_EVENTS.RepositoryCreated,
      streamId: `repository-${webId}`,
      streamVersion: 1,
      secret: null,
      data: {
        repositoryId: webId,
        namespace: 'alice_01',
        name: 'web',
        kind: 'user',
        createdBy: 'alice_01',
        description: 'the web app',
        fullDescription: '',
        isPublic: false,
        logo: 'default-icon.jpg',
      },
    });
    expect(stored[0].metadata).toMatchObject({ actor: 'user:alice_01' });
    expect(await nameClaims()).toEqual([{ full_name: 'alice_01/web', repository_id: webId }]);
    const [published] = await probe.ofStream(`repository-${webId}`, 1);
    expect(published).toMatchObject({
      source: 'repositories',
      type: REPOSITORIES_EVENTS.RepositoryCreated,
      data: stored[0].data,
    });
  });

  it('a repeated create reuses the existing repository (docker push) or refuses it, appending nothing', async () => {
    const before = await countStoredEvents(hub.pool, 'repositories');
    await expect(
      send(REPOSITORIES_COMMANDS.CreateRepository, {
        actor: alice,
        namespace: 'alice_01',
        name: 'web',
        existing: 'reuse',
      }),
    ).resolves.toEqual({ repositoryId: webId, created: false, written: null });
    expect(
      await failure(REPOSITORIES_COMMANDS.CreateRepository, {
        actor: alice,
        namespace: 'alice_01',
        name: 'web',
        existing: 'refuse',
      }),
    ).toMatchObject({
      code: 'already-exists',
    });
    expect(await countStoredEvents(hub.pool, 'repositories')).toBe(before);
  });

  it("refuses a repository in someone else's namespace (and in library for a non-admin) as forbidden, appending nothing", async () => {
    const before = await countStoredEvents(hub.pool, 'repositories');
    expect(
      await failure(REPOSITORIES_COMMANDS.CreateRepository, {
        actor: bob,
        namespace: 'alice_01',
        name: 'api',
        existing: 'refuse',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'You may not change repositories in this namespace',
    });
    expect(
      await failure(REPOSITORIES_COMMANDS.CreateRepository, {
        actor: bob,
        namespace: 'library',
        name: 'ubuntu',
        existing: 'refuse',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'Only admins may change library repositories',
    });
    expect(
      await failure(REPOSITORIES_COMMANDS.DeleteRepository, {
        actor: bob,
        namespace: 'alice_01',
        name: 'web',
      }),
    ).toMatchObject({
      code: 'forbidden',
    });
    expect(await countStoredEvents(hub.pool, 'repositories')).toBe(before);
    expect(await nameClaims()).toHaveLength(1);
  });

  it('updates only what changed, then deletes: a tombstone frees the name for a new incarnation', async () => {
    await expect(
      send(REPOSITORIES_COMMANDS.UpdateRepository, {
        actor: alice,
        namespace: 'alice_01',
        name: 'web',
        changes: { description: 'the web app', logo: 'x.png' },
      }),
    ).resolves.toEqual({ source: 'repositories', streamId: `repository-${webId}`, streamVersion: 2 });
    const deleted = await send<DeleteRepositoryReply>(REPOSITORIES_COMMANDS.DeleteRepository, {
      actor: alice,
      namespace: 'alice_01',
      name: 'web',
    });
    expect(deleted).toEqual({
      source: 'repositories',
      streamId: `repository-${webId}`,
      streamVersion: 3,
      repositoryId: webId,
    });

    const stream = await storedEvents(hub.pool, 'repositories', `repository-${webId}`);
    expect(stream.map((e) => [e.type, e.streamVersion, e.data])).toEqual([
      [REPOSITORIES_EVENTS.RepositoryCreated, 1, expect.anything()],
      [
        REPOSITORIES_EVENTS.RepositoryUpdated,
        2,
        { repositoryId: webId, namespace: 'alice_01', name: 'web', changes: { logo: 'x.png' } },
      ],
      [REPOSITORIES_EVENTS.RepositoryDeleted, 3, { repositoryId: webId, namespace: 'alice_01', name: 'web' }],
    ]);
    expect((await probe.ofStream(`repository-${webId}`, 3)).map((e) => e.type)).toEqual(
      stream.map((e) => e.type),
    );
    expect(await nameClaims()).toEqual([]);

    const again = await send<CreateRepositoryReply>(REPOSITORIES_COMMANDS.CreateRepository, {
      actor: alice,
      namespace: 'alice_01',
      name: 'web',
      existing: 'refuse',
    });
    expect(again.created).toBe(true);
    expect(again.repositoryId).not.toBe(webId);
    expect(again.written).toEqual({
      source: 'repositories',
      streamId: `repository-${again.repositoryId}`,
      streamVersion: 1,
    });
  });

  it.each([
    [
      'a name that is not a string',
      REPOSITORIES_COMMANDS.CreateRepository,
      { actor: alice, namespace: 'alice_01', name: 7, existing: 'refuse' },
    ],
    [
      'a missing actor',
      REPOSITORIES_COMMANDS.CreateRepository,
      { namespace: 'alice_01', name: 'db', existing: 'refuse' },
    ],
    [
      'an admin flag that is not a boolean',
      REPOSITORIES_COMMANDS.CreateRepository,
      {
        actor: { username: 'alice_01', admin: 'true' },
        namespace: 'library',
        name: 'db',
        existing: 'refuse',
      },
    ],
    [
      'an unknown `existing` mode',
      REPOSITORIES_COMMANDS.CreateRepository,
      { actor: alice, namespace: 'alice_01', name: 'db', existing: 'overwrite' },
    ],
    [
      'an unknown field',
      REPOSITORIES_COMMANDS.CreateRepository,
      { actor: alice, namespace: 'alice_01', name: 'db', existing: 'refuse', repositoryId: 'mine' },
    ],
    [
      'missing changes',
      REPOSITORIES_COMMANDS.UpdateRepository,
      { actor: alice, namespace: 'alice_01', name: 'web' },
    ],
  ])(
    'a malformed command (%s) gets the typed invalid error and appends nothing',
    async (_case, pattern, payload) => {
      const before = await countStoredEvents(hub.pool, 'repositories');
      const error = await failure(pattern, payload);
      expect({ name: error.name, code: error.code, message: error.message }).toMatchObject({
        name: 'DomainError',
        code: 'invalid',
      });
      expect(isDomainError(error)).toBe(true);
      expect(error.message).toMatch(/^Invalid command: /);
      expect(await countStoredEvents(hub.pool, 'repositories')).toBe(before);
    },
  );
});
