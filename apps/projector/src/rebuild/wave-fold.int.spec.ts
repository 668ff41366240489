import { Pool, PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  IMAGE_EVENTS,
  IMAGES_EVENTS,
  PROJECTIONS,
  PublishedEvent,
  READ_SCHEMA,
  REPOSITORIES_EVENTS,
  ServiceName,
  imageStreamId,
  repositoryImagesStreamId,
  repositoryStreamId,
  starStreamId,
  userStreamId,
} from '@dockyard/contracts';
import { runMigrations } from '@dockyard/eventstore';
import { createTestDatabase } from '../../../../libs/testing/src';
import { BatchFold } from '../batch-fold';
import { FedProjection, PROJECTION_BATCH_FOLDS, PROJECTION_EFFECTS } from '../projection-consumers';
import { READ_MODEL_MIGRATIONS } from '../read-models';
import { foldInWaves } from './wave-fold';

/**
 * The rebuild's batch folds against the projections' own effects, on real PostgreSQL: the same
 * events folded one by one (the live projector's way) and in waves with batch folds (the rebuild's)
 * must leave the same rows. Events of several streams interleave, with types that have a batch fold
 * and types that do not, and images from before namespaces (folded to nothing either way).
 */
describe('folding in waves with batch folds (rebuild)', () => {
  let pool: Pool;
  let position = 0;
  const versions = new Map<string, number>();

  const event = (
    source: ServiceName,
    streamId: string,
    type: string,
    data: Record<string, unknown>,
  ): PublishedEvent => {
    const streamVersion = (versions.get(streamId) ?? 0) + 1;
    versions.set(streamId, streamVersion);
    position++;
    return {
      eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
      source,
      streamId,
      streamVersion,
      position: String(position),
      type,
      schemaVersion: 1,
      data,
      metadata: {
        correlationId: 'c',
        actor: 'system:test',
        occurredAt: new Date(1700000000000 + position * 1000).toISOString(),
      },
      hash: '',
      prevHash: '',
      secretDigest: '',
    };
  };

  /** Rounds over many streams, so their events interleave by position. */
  const userEvents = (): PublishedEvent[] => {
    const users = Array.from({ length: 40 }, (_, i) => `user${i}`);
    const rounds: ((username: string, i: number) => [string, Record<string, unknown>] | undefined)[] = [
      (username, i) => [
        ACCOUNTS_EVENTS.UserRegistered,
        { username, email: `${username}@example.com`, active: i % 3 === 0 },
      ],
      (username, i) =>
        i % 2 === 0
          ? [ACCOUNTS_EVENTS.EmailConfirmed, { username, email: `${username}@example.com` }]
          : undefined,
      (username, i) =>
        i % 7 === 0
          ? [ACCOUNTS_EVENTS.EmailAdded, { username, email: `${username}@second.example.com` }]
          : undefined,
      (username, i) =>
        i % 5 === 0 ? [ACCOUNTS_EVENTS.PasswordChanged, { username, credentialsVersion: 2 }] : undefined,
      (username, i) =>
        i % 11 === 0 ? [ACCOUNTS_EVENTS.RoleGranted, { username, role: 'auditor' }] : undefined,
      (username, i) =>
        i % 4 === 0 ? [ACCOUNTS_EVENTS.PasswordChanged, { username, credentialsVersion: 3 }] : undefined,
      (username, i) => (i % 13 === 0 ? [ACCOUNTS_EVENTS.UserDeactivated, { username }] : undefined),
    ];
    return rounds.flatMap((round) =>
      users.flatMap((username, i) => {
        const next = round(username, i);
        return next ? [event('accounts', userStreamId(username), ...next)] : [];
      }),
    );
  };

  const imageEvents = (): PublishedEvent[] => {
    const images = Array.from({ length: 30 }, (_, i) => ({
      namespace: i % 2 ? 'alice' : 'bob',
      imageId: `${String(i).padStart(2, '0')}`.repeat(32),
    }));
    const stream = ({ namespace, imageId }: { namespace: string; imageId: string }) =>
      imageStreamId(namespace, imageId);
    const json = (imageId: string, n: number) => JSON.stringify({ id: imageId, n });
    const events: PublishedEvent[] = [];
    images.forEach((image, i) =>
      events.push(
        event('images', stream(image), IMAGE_EVENTS.ImageJsonStored, {
          ...image,
          parent: i ? images[i - 1].imageId : null,
          json: json(image.imageId, 1),
        }),
      ),
    );
    images.forEach((image, i) => {
      if (i % 3 !== 0)
        events.push(
          event('images', stream(image), IMAGE_EVENTS.LayerUploaded, {
            ...image,
            blobKey: `sha256:${i}`,
            size: 1000 + i,
            payloadChecksum: `sha256:p${i}`,
          }),
        );
    });
    images.forEach((image, i) => {
      if (i % 3 === 1)
        events.push(
          event('images', stream(image), IMAGE_EVENTS.ChecksumVerified, {
            ...image,
            checksum: `sha256:c${i}`,
            payloadChecksum: `sha256:p${i}`,
          }),
        );
      if (i % 3 === 2) events.push(event('images', stream(image), IMAGE_EVENTS.LayerRejected, { ...image }));
    });
    images.forEach((image, i) => {
      if (i % 5 === 0)
        events.push(
          event('images', stream(image), IMAGE_EVENTS.ImageJsonStored, {
            ...image,
            parent: null,
            json: json(image.imageId, 2),
          }),
        );
    });
    const mounted = { namespace: 'carol', imageId: 'ff'.repeat(32) };
    events.push(
      event('images', stream(mounted), IMAGE_EVENTS.ImageMounted, {
        ...mounted,
        sourceNamespace: 'alice',
        parent: null,
        json: json(mounted.imageId, 1),
        blobKey: 'sha256:m',
        size: 7,
        checksum: 'sha256:cm',
        payloadChecksum: 'sha256:pm',
      }),
    );
    // An image stream from before namespaces: folds to nothing, batched or not.
    const legacy = `image-${'ee'.repeat(32)}`;
    events.push(
      event('images', legacy, IMAGE_EVENTS.ImageJsonStored, {
        imageId: 'ee'.repeat(32),
        parent: null,
        json: '{}',
      }),
    );
    events.push(
      event('images', legacy, IMAGE_EVENTS.LayerUploaded, {
        imageId: 'ee'.repeat(32),
        blobKey: 'k',
        size: 1,
        payloadChecksum: 'p',
      }),
    );
    events.push(
      event('images', legacy, IMAGE_EVENTS.ChecksumVerified, {
        imageId: 'ee'.repeat(32),
        checksum: 'c',
        payloadChecksum: 'p',
      }),
    );
    return events;
  };

  /**
   * Repositories and their images: most names with one life, some deleted, two names with two
   * lives (the second created after the first's deletion, as the service allows), stars, updates,
   * and images and tags, some for a repository deleted meanwhile.
   */
  const repositoryEvents = (): { repositories: PublishedEvent[]; images: PublishedEvent[] } => {
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const lives = Array.from({ length: 30 }, (_, n) => ({
      repositoryId: id(n + 1),
      namespace: n % 2 ? 'alice' : 'bob',
      name: `repo${n}`,
    }));
    const second = [0, 1].map((n) => ({ ...lives[n], repositoryId: id(100 + n) }));
    const created = (life: (typeof lives)[number]) =>
      event('repositories', repositoryStreamId(life.repositoryId), REPOSITORIES_EVENTS.RepositoryCreated, {
        ...life,
        kind: 'user',
        createdBy: life.namespace,
        description: `about ${life.name}`,
        fullDescription: '',
        isPublic: life.name !== 'repo7',
        logo: '',
      });
    const deleted = (life: (typeof lives)[number]) =>
      event('repositories', repositoryStreamId(life.repositoryId), REPOSITORIES_EVENTS.RepositoryDeleted, {
        ...life,
      });
    const repositories = [
      ...lives.map(created),
      ...lives
        .filter((_, n) => n % 6 === 1)
        .map((life) =>
          event(
            'repositories',
            repositoryStreamId(life.repositoryId),
            REPOSITORIES_EVENTS.RepositoryUpdated,
            { ...life, changes: { description: 'changed', isPublic: false } },
          ),
        ),
      ...lives
        .filter((_, n) => n % 4 === 2)
        .map((life) =>
          event(
            'repositories',
            starStreamId(life.repositoryId, 'carol'),
            REPOSITORIES_EVENTS.RepositoryStarred,
            { ...life, username: 'carol' },
          ),
        ),
      ...[lives[0], lives[1], lives[5], lives[9]].map(deleted),
      ...second.map(created),
      event(
        'repositories',
        starStreamId(lives[2].repositoryId, 'carol'),
        REPOSITORIES_EVENTS.RepositoryUnstarred,
        { ...lives[2], username: 'carol' },
      ),
    ];
    const image = (n: number) => `${String(n % 100).padStart(2, '0')}`.repeat(32);
    const images = [...lives, ...second].flatMap((life, n) => [
      event('images', repositoryImagesStreamId(life.repositoryId), IMAGES_EVENTS.ImagesAdded, {
        repositoryId: life.repositoryId,
        images: [0, 1, 2].map((i) => ({ id: image(n + i), checksum: `sha256:${n}-${i}` })),
      }),
    ]);
    for (const [n, life] of [...lives, ...second].entries()) {
      images.push(
        event('images', repositoryImagesStreamId(life.repositoryId), IMAGES_EVENTS.TagSet, {
          repositoryId: life.repositoryId,
          tag: 'latest',
          imageId: image(n),
        }),
      );
      if (n % 3 === 0)
        images.push(
          event('images', repositoryImagesStreamId(life.repositoryId), IMAGES_EVENTS.TagSet, {
            repositoryId: life.repositoryId,
            tag: 'v1',
            imageId: image(n + 1),
          }),
        );
    }
    for (const [n, life] of [...lives, ...second].entries()) {
      if (n % 3 === 0 && n % 2 === 0)
        images.push(
          event('images', repositoryImagesStreamId(life.repositoryId), IMAGES_EVENTS.TagDeleted, {
            repositoryId: life.repositoryId,
            tag: 'latest',
          }),
        );
      if (n % 5 === 0)
        images.push(
          event('images', repositoryImagesStreamId(life.repositoryId), IMAGES_EVENTS.ImagesAdded, {
            repositoryId: life.repositoryId,
            images: [{ id: image(n), checksum: 'sha256:again' }],
          }),
        );
    }
    return { repositories, images };
  };

  beforeAll(async () => {
    const url = await createTestDatabase('wavefold');
    await runMigrations(url, READ_SCHEMA, READ_MODEL_MIGRATIONS);
    pool = new Pool({ connectionString: url });
  });
  afterAll(async () => {
    await pool.end();
  });

  const inSchema = async (schema: string, tables: string[], fold: (client: PoolClient) => Promise<void>) => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    for (const table of tables)
      await pool.query(`CREATE TABLE ${schema}.${table} (LIKE ${READ_SCHEMA}.${table} INCLUDING ALL)`);
    const client = await pool.connect();
    try {
      await client.query(`BEGIN; SET LOCAL search_path TO ${schema}`);
      await fold(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };

  const differences = async (table: string) =>
    (
      await pool.query(
        `SELECT (SELECT count(*) FROM (SELECT * FROM one_by_one.${table} EXCEPT ALL SELECT * FROM in_waves.${table}) d)::int AS "onlyOneByOne",
                (SELECT count(*) FROM (SELECT * FROM in_waves.${table} EXCEPT ALL SELECT * FROM one_by_one.${table}) d)::int AS "onlyInWaves",
                (SELECT count(*) FROM one_by_one.${table})::int AS rows`,
      )
    ).rows[0];

  /** A read model's events: its projections' parts in the order the rebuild replays their sources. */
  type Part = [FedProjection, PublishedEvent[]];
  const models: [string, string[], () => Part[], number][] = [
    ['users', ['users'], () => [[PROJECTIONS.users, userEvents()]], 20],
    ['image-metadata', ['images'], () => [[PROJECTIONS.imageMetadata, imageEvents()]], 20],
    [
      'repositories',
      ['repository_names', 'repositories', 'deleted_repositories', 'repository_images', 'tags', 'stars'],
      () => {
        const { repositories, images } = repositoryEvents();
        return [
          [PROJECTIONS.repositories, repositories],
          [PROJECTIONS.images, images],
        ];
      },
      100,
    ],
  ];

  it.each(models)(
    '%s: the same rows folded one by one and in waves',
    async (_model, tables, partsOf, atLeast) => {
      const parts = partsOf();
      const batchCalls = new Map<string, number>();
      const batch = (projection: FedProjection, type: string): BatchFold | undefined => {
        const fold = PROJECTION_BATCH_FOLDS[projection]?.[type];
        return (
          fold &&
          ((client, same) => (batchCalls.set(type, (batchCalls.get(type) ?? 0) + 1), fold(client, same)))
        );
      };
      await inSchema('one_by_one', tables, async (client) => {
        for (const [projection, events] of parts)
          for (const e of events) await PROJECTION_EFFECTS[projection](client, e);
      });
      await inSchema('in_waves', tables, async (client) => {
        for (const [projection, events] of parts) {
          await foldInWaves(client, events, (type) => ({
            effect: PROJECTION_EFFECTS[projection],
            batch: batch(projection, type),
          }));
        }
      });

      let rows = 0;
      for (const table of tables) {
        const found = await differences(table);
        rows += found.rows;
        expect({ table, onlyOneByOne: found.onlyOneByOne, onlyInWaves: found.onlyInWaves }).toEqual({
          table,
          onlyOneByOne: 0,
          onlyInWaves: 0,
        });
      }
      expect(rows).toBeGreaterThan(atLeast);
      // Every batch fold of these projections was used.
      const offered = parts.flatMap(([projection]) => Object.keys(PROJECTION_BATCH_FOLDS[projection] ?? {}));
      expect([...batchCalls.keys()].sort()).toEqual(offered.sort());
    },
  );
});
