import { Pool } from 'pg';
import { ACCOUNTS_EVENTS, PROJECTIONS, PublishedEvent, READ_SCHEMA, userStreamId } from '@dockyard/contracts';
import { applyOnce, runMigrations } from '@dockyard/eventstore';
import { KafkaBus } from '@dockyard/messaging';
import { createTestDatabase, testKafkaBrokers, uniqueTopicPrefix, waitUntil } from '../../../../libs/testing/src';
import { CreateReadModels1732400002000 } from '../read-model.migrations';
import { projectUser } from './users.projection';

const event = (username: string, version: number, type: string, data: Record<string, unknown>): PublishedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(version).padStart(6, '0')}${username.length.toString().padStart(6, '0')}`,
  source: 'accounts',
  streamId: userStreamId(username),
  streamVersion: version,
  position: String(version),
  type,
  schemaVersion: 1,
  data: { username, ...data },
  metadata: { correlationId: 'c', actor: 'system:test', occurredAt: new Date(1700000000000 + version).toISOString() },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

describe('users projection over real Kafka', () => {
  let pool: Pool;
  let bus: KafkaBus;

  beforeAll(async () => {
    const url = await createTestDatabase('projection');
    await runMigrations(url, READ_SCHEMA, [CreateReadModels1732400002000]);
    pool = new Pool({ connectionString: url });
    bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'projection-test', topicPrefix: uniqueTopicPrefix('proj') });
    await bus.connect();
  });
  afterAll(async () => {
    await bus.close();
    await pool.end();
  });

  const snapshot = async () => ({
    users: (await pool.query('SELECT * FROM read.users ORDER BY username')).rows,
    checkpoints: (await pool.query('SELECT * FROM read.consumer_checkpoints ORDER BY stream_id')).rows,
  });
  const project = (group: string) =>
    bus.subscribe(group, ['accounts'], async (e) => {
      await applyOnce(pool, READ_SCHEMA, PROJECTIONS.users, e, (client) => projectUser(client, e));
    });

  it('folds the accounts events, and replaying the whole topic changes nothing', async () => {
    await bus.publish('accounts', [
      event('ada_0001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'ada@example.com', active: false }),
      event('ada_0001', 2, ACCOUNTS_EVENTS.EmailConfirmed, { email: 'ada@example.com' }),
      event('ada_0001', 3, ACCOUNTS_EVENTS.EmailAdded, { email: 'ada2@example.com' }),
      event('ada_0001', 4, ACCOUNTS_EVENTS.PasswordChanged, { credentialsVersion: 2 }),
      event('bert_001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'bert@example.com', active: true }),
      event('bert_001', 2, ACCOUNTS_EVENTS.AdminGranted, {}),
      event('bert_001', 3, ACCOUNTS_EVENTS.UserDeactivated, {}),
    ]);
    const first = await project('projector');
    const count = async () => (await pool.query('SELECT count(*)::int AS n FROM read.consumer_checkpoints')).rows[0].n;
    await waitUntil(async () => (await snapshot()).checkpoints.map((c) => c.stream_version).join() === '4,3' || undefined, {
      what: 'projection',
    });
    const before = await snapshot();
    expect(before.users).toMatchObject([
      { username: 'ada_0001', emails: ['ada@example.com', 'ada2@example.com'], active: true, admin: false, credentials_version: 2 },
      { username: 'bert_001', emails: ['bert@example.com'], active: false, admin: true, credentials_version: 1 },
    ]);
    await first.close();

    // A new consumer group reads the topic from its start: every event is delivered again.
    let replayed = 0;
    const replay = await bus.subscribe('projector-replay', ['accounts'], async (e) => {
      await applyOnce(pool, READ_SCHEMA, PROJECTIONS.users, e, (client) => projectUser(client, e));
      replayed++;
    });
    await waitUntil(() => replayed >= 7 || undefined, { what: 'replay' });
    await replay.close();
    expect(await snapshot()).toEqual(before);
    expect(await count()).toBe(2);
  });
});
