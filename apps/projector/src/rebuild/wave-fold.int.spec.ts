import { Pool, PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  IMAGE_EVENTS,
  PROJECTIONS,
  PublishedEvent,
  READ_SCHEMA,
  imageStreamId,
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
    source: 'accounts' | 'images',
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

  beforeAll(async () => {
    const url = await createTestDatabase('wavefold');
    await runMigrations(url, READ_SCHEMA, READ_MODEL_MIGRATIONS);
    pool = new Pool({ connectionString: url });
  });
  afterAll(async () => {
    await pool.end();
  });

  const inSchema = async (schema: string, table: string, fold: (client: PoolClient) => Promise<void>) => {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
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

  it.each([
    [PROJECTIONS.users, 'users', userEvents],
    [PROJECTIONS.imageMetadata, 'images', imageEvents],
  ] as [FedProjection, string, () => PublishedEvent[]][])(
    '%s: the same rows folded one by one and in waves',
    async (projection, table, eventsOf) => {
      const events = eventsOf();
      const effect = PROJECTION_EFFECTS[projection];
      const batchCalls = new Map<string, number>();
      const batch = (type: string): BatchFold | undefined => {
        const fold = PROJECTION_BATCH_FOLDS[projection]?.[type];
        return (
          fold &&
          ((client, same) => (batchCalls.set(type, (batchCalls.get(type) ?? 0) + 1), fold(client, same)))
        );
      };
      await inSchema('one_by_one', table, async (client) => {
        for (const e of events) await effect(client, e);
      });
      await inSchema('in_waves', table, (client) =>
        foldInWaves(client, events, (type) => ({ effect, batch: batch(type) })),
      );

      const found = await differences(table);
      expect(found.rows).toBeGreaterThan(20);
      expect({ onlyOneByOne: found.onlyOneByOne, onlyInWaves: found.onlyInWaves }).toEqual({
        onlyOneByOne: 0,
        onlyInWaves: 0,
      });
      // Every batch fold the projection has was used, on waves of more than one event.
      expect([...batchCalls.keys()].sort()).toEqual(
        Object.keys(PROJECTION_BATCH_FOLDS[projection] ?? {}).sort(),
      );
    },
  );
});
