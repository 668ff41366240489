import { randomUUID } from 'node:crypto';
import {
  IMAGE_COMMANDS,
  IMAGE_EVENTS,
  IMAGES_COMMANDS,
  IMAGES_EVENTS,
  READ_STREAM_COMMANDS,
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
  publishedEvent,
  storedEvents,
  waitUntil,
} from '@dockyard/testing';
import { ImagesModule } from './images.module';

const image = (n: number) => n.toString(16).padStart(64, 'a');
const repository = (repositoryId: string, name: string) => ({ repositoryId, namespace: 'alice_01', name });

/** The images microservice as Nest runs it, on real PostgreSQL and the in-process bus. */
describe('images message controller (Nest microservice, PostgreSQL, InProcessBus)', () => {
  let service: ServiceUnderTest;
  let hub: TestHub;
  let probe: EventProbe;
  const web = randomUUID();
  const old = randomUUID();

  beforeAll(async () => {
    // An unknown repository is awaited for the read-your-writes timeout before it is not-found.
    service = await startServiceUnderTest('images', ImagesModule, { env: { DOCKYARD_READ_YOUR_WRITES_TIMEOUT_MS: '300' }, actor: 'user:alice_01' });
    ({ hub, probe } = service);
  });
  afterAll(() => service?.close());

  const send = <T>(pattern: string, payload: unknown, key?: string) => service.send<T>(pattern, payload, key);
  const failure = (pattern: string, payload: unknown) => service.refusal(pattern, payload);
  const known = async (repositoryId: string) =>
    (
      await hub.pool.query(
        'SELECT full_name, deleted FROM images.known_repositories WHERE repository_id = $1',
        [repositoryId],
      )
    ).rows[0];

  it('learns a RepositoryCreated from the bus (@EventPattern), then merges an image list into it', async () => {
    await hub.bus.publish('repositories', [
      publishedEvent('repositories', repositoryStreamId(web), 1, REPOSITORIES_EVENTS.RepositoryCreated, {
        ...repository(web, 'web'),
        kind: 'user',
      }),
    ]);
    expect(await waitUntil(() => known(web), { what: 'known repository' })).toEqual({
      full_name: 'alice_01/web',
      deleted: false,
    });

    const reply = await send(IMAGES_COMMANDS.UpdateIndex, {
      repositoryId: web,
      images: [{ id: image(1), checksum: 'tarsum+sha256:1' }, { id: image(2) }, { id: image(1) }],
    });
    expect(reply).toEqual({ source: 'images', streamId: `images-${web}`, streamVersion: 1 });
    const stored = await storedEvents(hub.pool, 'images', `images-${web}`);
    expect(stored).toEqual([
      expect.objectContaining({
        type: IMAGES_EVENTS.ImagesAdded,
        streamVersion: 1,
        secret: null,
        data: {
          repositoryId: web,
          images: [
            { id: image(1), checksum: 'tarsum+sha256:1' },
            { id: image(2), checksum: '' },
          ],
        },
      }),
    ]);
    const [published] = await probe.ofStream(`images-${web}`, 1);
    expect(published).toMatchObject({
      source: 'images',
      type: IMAGES_EVENTS.ImagesAdded,
      streamVersion: 1,
      data: stored[0].data,
    });

    // The same list again adds nothing: no event, a null reply.
    await expect(
      send(IMAGES_COMMANDS.UpdateIndex, { repositoryId: web, images: [{ id: image(2) }] }),
    ).resolves.toBeNull();
    expect(await storedEvents(hub.pool, 'images', `images-${web}`)).toHaveLength(1);
  });

  it('an index command that arrives before its repository does waits for it, and is answered once the creation is applied', async () => {
    const early = randomUUID();
    const indexed = send(IMAGES_COMMANDS.UpdateIndex, { repositoryId: early, images: [{ id: image(7) }] });
    await new Promise((r) => setTimeout(r, 20)); // the command is waiting: the creation is still "in the relay"
    await hub.bus.publish('repositories', [
      publishedEvent('repositories', repositoryStreamId(early), 1, REPOSITORIES_EVENTS.RepositoryCreated, {
        ...repository(early, 'early'),
        kind: 'user',
      }),
    ]);
    await expect(indexed).resolves.toEqual({ source: 'images', streamId: `images-${early}`, streamVersion: 1 });
  });

  it('tags a listed image; a tag on an image not in the list is not-found', async () => {
    await expect(
      send(IMAGES_COMMANDS.SetTag, { repositoryId: web, tag: 'latest', imageId: image(1) }),
    ).resolves.toEqual({
      source: 'images',
      streamId: `images-${web}`,
      streamVersion: 2,
    });
    expect(
      await failure(IMAGES_COMMANDS.SetTag, { repositoryId: web, tag: 'v2', imageId: image(3) }),
    ).toMatchObject({
      code: 'not-found',
      message: 'Image not found',
    });
    const stream = await storedEvents(hub.pool, 'images', `images-${web}`);
    expect(stream.map((e) => [e.type, e.streamVersion, e.data])).toEqual([
      [IMAGES_EVENTS.ImagesAdded, 1, expect.anything()],
      [IMAGES_EVENTS.TagSet, 2, { repositoryId: web, tag: 'latest', imageId: image(1) }],
    ]);
    expect((await probe.ofStream(`images-${web}`, 2))[1]).toMatchObject({ type: IMAGES_EVENTS.TagSet });
  });

  it('uploads one image into a namespace: json, layer and checksum on the image-<namespace>/<id> stream', async () => {
    const ref = { namespace: 'alice_01', imageId: image(1) };
    const json = JSON.stringify({ id: image(1), created: '2014-01-01T00:00:00Z' });
    const stream = `image-alice_01/${image(1)}`;
    await expect(send(IMAGE_COMMANDS.StoreJson, { ...ref, json })).resolves.toEqual({
      source: 'images',
      streamId: stream,
      streamVersion: 1,
    });
    await expect(
      send(IMAGE_COMMANDS.RecordLayer, {
        ...ref,
        blobKey: 'f'.repeat(64),
        size: 1234,
        payloadChecksum: 'sha256:abc',
      }),
    ).resolves.toMatchObject({
      streamVersion: 2,
    });
    await expect(
      send(IMAGE_COMMANDS.VerifyChecksum, {
        ...ref,
        checksum: 'tarsum+sha256:1',
        payloadChecksum: 'sha256:abc',
      }),
    ).resolves.toMatchObject({
      streamVersion: 3,
    });
    expect((await storedEvents(hub.pool, 'images', stream)).map((e) => [e.type, e.data])).toEqual([
      [IMAGE_EVENTS.ImageJsonStored, { ...ref, parent: null, json }],
      [
        IMAGE_EVENTS.LayerUploaded,
        { ...ref, blobKey: 'f'.repeat(64), size: 1234, payloadChecksum: 'sha256:abc' },
      ],
      [IMAGE_EVENTS.ChecksumVerified, { ...ref, checksum: 'tarsum+sha256:1', payloadChecksum: 'sha256:abc' }],
    ]);
    expect((await probe.ofStream(stream, 3)).map((e) => e.type)).toEqual([
      IMAGE_EVENTS.ImageJsonStored,
      IMAGE_EVENTS.LayerUploaded,
      IMAGE_EVENTS.ChecksumVerified,
    ]);
    // A complete image is never written again.
    expect(await failure(IMAGE_COMMANDS.StoreJson, { ...ref, json })).toMatchObject({
      code: 'already-exists',
      message: 'Image already exists',
    });
  });

  it('refuses image-list work once a RepositoryDeleted has arrived (@EventPattern), and on a repository it never saw', async () => {
    await hub.bus.publish('repositories', [
      publishedEvent('repositories', repositoryStreamId(old), 1, REPOSITORIES_EVENTS.RepositoryCreated, {
        ...repository(old, 'old'),
        kind: 'user',
      }),
      publishedEvent(
        'repositories',
        repositoryStreamId(old),
        2,
        REPOSITORIES_EVENTS.RepositoryDeleted,
        repository(old, 'old'),
      ),
    ]);
    const deleted = async () => {
      const row = await known(old);
      return row?.deleted ? row : undefined;
    };
    expect(await waitUntil(deleted, { what: 'deleted repository' })).toEqual({
      full_name: 'alice_01/old',
      deleted: true,
    });
    const before = await countStoredEvents(hub.pool, 'images');
    expect(
      await failure(IMAGES_COMMANDS.UpdateIndex, { repositoryId: old, images: [{ id: image(1) }] }),
    ).toMatchObject({
      code: 'not-found',
      message: 'Repository not found',
    });
    // A repository it never saw is asked of its owner: unreachable here, so "unavailable" (retry),
    // never a "not found" that could be wrong; once the owner answers it has no such stream, "not found".
    const never = randomUUID();
    expect(await failure(IMAGES_COMMANDS.UpdateIndex, { repositoryId: never, images: [{ id: image(1) }] })).toMatchObject({
      code: 'unavailable',
    });
    const asked: unknown[] = [];
    const owner = await hub.bus.serveCommands('repositories', async (pattern, payload) => {
      asked.push({ pattern, payload });
      return [];
    });
    try {
      expect(await failure(IMAGES_COMMANDS.UpdateIndex, { repositoryId: never, images: [{ id: image(1) }] })).toMatchObject({
        code: 'not-found',
      });
      expect(asked).toEqual([
        { pattern: READ_STREAM_COMMANDS.repositories, payload: expect.objectContaining({ streamId: `repository-${never}`, fromVersion: 1 }) },
      ]);
    } finally {
      await owner.close();
    }
    expect(await countStoredEvents(hub.pool, 'images')).toBe(before);
    expect(await storedEvents(hub.pool, 'images', `images-${old}`)).toEqual([]);
  });

  it.each([
    [
      'an image list that is not an array',
      IMAGES_COMMANDS.UpdateIndex,
      { repositoryId: 'web', images: { id: 'x' } },
    ],
    ['an image list entry whose checksum is not a string', IMAGES_COMMANDS.UpdateIndex, { repositoryId: 'web', images: [{ id: 'x', checksum: 123 }] }],
    ['an image list entry that is not an object', IMAGES_COMMANDS.UpdateIndex, { repositoryId: 'web', images: ['x'] }],
    ['a missing repository id', IMAGES_COMMANDS.SetTag, { tag: 'latest', imageId: 'x' }],
    [
      'a size that is not an integer',
      IMAGE_COMMANDS.RecordLayer,
      { namespace: 'alice_01', imageId: 'x', blobKey: 'k', size: '12', payloadChecksum: 'p' },
    ],
    [
      'a negative size',
      IMAGE_COMMANDS.RecordLayer,
      { namespace: 'alice_01', imageId: 'x', blobKey: 'k', size: -1, payloadChecksum: 'p' },
    ],
    [
      'an unknown field',
      IMAGE_COMMANDS.StoreJson,
      { namespace: 'alice_01', imageId: 'x', json: '{}', complete: true },
    ],
  ])(
    'a malformed command (%s) gets the typed invalid error and appends nothing',
    async (_case, pattern, payload) => {
      // Ids that would pass the domain's rules, so only the DTO can refuse the command.
      const concrete = JSON.parse(
        JSON.stringify(payload)
          .replace(/"web"/g, JSON.stringify(web))
          .replace(/"x"/g, JSON.stringify(image(9))),
      );
      const before = await countStoredEvents(hub.pool, 'images');
      const error = await failure(pattern, concrete);
      expect({ name: error.name, code: error.code, message: error.message }).toMatchObject({
        name: 'DomainError',
        code: 'invalid',
      });
      expect(isDomainError(error)).toBe(true);
      expect(error.message).toMatch(/^Invalid command: /);
      expect(await countStoredEvents(hub.pool, 'images')).toBe(before);
    },
  );
});
