import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { READ_SCHEMA, RepositoryActivity } from '@dockyard/contracts';
import { runMigrations } from '@dockyard/eventstore';
import { KafkaBus } from '@dockyard/messaging';
import { createTestDatabase, testKafkaBrokers, uniqueTopicPrefix, waitUntil } from '../../../../libs/testing/src';
import { CreateImageFetches1732400013100 } from '../image-fetches/image-fetches.migrations';
import { CreateReadModels1732400002000 } from '../read-model.migrations';
import { CreateRepositoryReadModels1732400006000 } from '../repository-read-models.migrations';
import { CreateActivityInbox1732400030600, CreateCountedActivity1732400008000 } from './activity.migrations';
import { ActivityInbox } from './activity-inbox';

const IMAGE = 'a'.repeat(64);

describe('activity projection over real Kafka (pull/push counts and image fetches)', () => {
  let pool: Pool;
  let bus: KafkaBus;
  const repositoryId = randomUUID();
  /** The projector's way: kept in the inbox, folded by its writer. */
  const fold = async (activity: RepositoryActivity) => {
    const inbox = new ActivityInbox(pool);
    await inbox.receive(activity);
    await inbox.drained();
    await inbox.close();
  };

  beforeAll(async () => {
    const url = await createTestDatabase('activity');
    await runMigrations(url, READ_SCHEMA, [
      CreateReadModels1732400002000,
      CreateRepositoryReadModels1732400006000,
      CreateCountedActivity1732400008000,
      CreateImageFetches1732400013100,
      CreateActivityInbox1732400030600,
    ]);
    pool = new Pool({ connectionString: url });
    await pool.query(
      `INSERT INTO read.repositories (repository_id, namespace, name, kind, created_by, description, full_description, is_public, logo, created_at, updated_at)
       VALUES ($1, 'alice', 'base', 'user', 'alice', '', '', true, '', now(), now())`,
      [repositoryId],
    );
    bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'activity-test', topicPrefix: uniqueTopicPrefix('act') });
    await bus.connect();
  });
  afterAll(async () => {
    await bus.close();
    await pool.end();
  });

  const snapshot = async () => ({
    counts: (await pool.query('SELECT download_count::int AS d, upload_count::int AS u FROM read.repositories')).rows,
    fetches: (await pool.query('SELECT username, namespace, image_id, first_at FROM read.image_fetches ORDER BY username, namespace')).rows,
  });

  it('counts a pull once and records each (user, copy) fetch once with its first time, also when the whole topic is replayed', async () => {
    const fetched = (username: string, namespace: string, at: string): RepositoryActivity => ({
      activityId: randomUUID(),
      repositoryId: null,
      kind: 'image-fetched',
      username,
      namespace,
      imageId: IMAGE,
      at,
    });
    const activities: RepositoryActivity[] = [
      { activityId: randomUUID(), repositoryId, kind: 'pull', at: '2026-01-01T00:00:00.000Z' },
      fetched('carol', 'alice', '2026-01-01T00:00:02.000Z'),
      fetched('carol', 'alice', '2026-01-01T00:00:01.000Z'),
      fetched('carol', 'alice', '2026-01-01T00:00:03.000Z'),
      fetched('dave', 'library', '2026-01-01T00:00:04.000Z'),
    ];
    for (const activity of activities) await bus.recordActivity(activity);

    let seen = 0;
    const first = await bus.subscribeActivity('projector-activity', async (a) => {
      await fold(a);
      seen++;
    });
    await waitUntil(() => seen >= activities.length || undefined, { what: 'activity' });
    await first.close();
    const before = await snapshot();
    expect(before.counts).toEqual([{ d: 1, u: 0 }]);
    expect(before.fetches.map((f) => [f.username, f.namespace, f.image_id, f.first_at.toISOString()])).toEqual([
      ['carol', 'alice', IMAGE, '2026-01-01T00:00:01.000Z'],
      ['dave', 'library', IMAGE, '2026-01-01T00:00:04.000Z'],
    ]);

    // a new group reads the topic from its start: everything is delivered again, nothing changes
    let replayed = 0;
    const replay = await bus.subscribeActivity('projector-activity-replay', async (a) => {
      await fold(a);
      replayed++;
    });
    await waitUntil(() => replayed >= activities.length || undefined, { what: 'replay' });
    await replay.close();
    expect(await snapshot()).toEqual(before);
  });

  it('drops a malformed fetch (it could never be recorded) instead of retrying it forever', async () => {
    await fold({ activityId: randomUUID(), repositoryId: null, kind: 'image-fetched', username: 'carol', namespace: 'alice', imageId: 'not-an-id', at: 'x' });
    expect((await pool.query(`SELECT 1 FROM read.image_fetches WHERE image_id = 'not-an-id'`)).rowCount).toBe(0);
  });

  it("folds a gateway's batch in one go: counts per repository, the latest times, fetches; a redelivered batch changes nothing", async () => {
    const other = randomUUID();
    await pool.query(
      `INSERT INTO read.repositories (repository_id, namespace, name, kind, created_by, description, full_description, is_public, logo, created_at, updated_at)
       VALUES ($1, 'alice', 'other', 'user', 'alice', '', '', true, '', now(), now())`,
      [other],
    );
    const count = (id: string, kind: 'pull' | 'push', at: string) => ({ activityId: randomUUID(), repositoryId: id, kind, at }) as const;
    const batch: RepositoryActivity = {
      activityId: randomUUID(),
      repositoryId: null,
      kind: 'batch',
      activities: [
        count(other, 'pull', '2026-02-01T00:00:03.000Z'),
        count(other, 'pull', '2026-02-01T00:00:01.000Z'),
        count(other, 'push', '2026-02-01T00:00:02.000Z'),
        count(repositoryId, 'pull', '2026-02-01T00:00:04.000Z'),
        // A repository deleted meanwhile (no row) and a malformed id: neither stops the rest.
        count(randomUUID(), 'pull', '2026-02-01T00:00:05.000Z'),
        count('not-a-uuid', 'pull', '2026-02-01T00:00:05.000Z'),
        { activityId: randomUUID(), repositoryId: null, kind: 'image-fetched', username: 'erin', namespace: 'alice', imageId: IMAGE, at: '2026-02-01T00:00:06.000Z' },
        // the same fetch twice in one batch: one row, the earlier time
        { activityId: randomUUID(), repositoryId: null, kind: 'image-fetched', username: 'erin', namespace: 'alice', imageId: IMAGE, at: '2026-02-01T00:00:05.500Z' },
      ],
    };
    const read = async () =>
      (
        await pool.query(
          `SELECT name, download_count::int AS d, upload_count::int AS u, pulled_at, pushed_at FROM read.repositories ORDER BY name`,
        )
      ).rows.map((r) => [r.name, r.d, r.u, r.pulled_at?.toISOString() ?? null, r.pushed_at?.toISOString() ?? null]);
    const before = await read();
    await fold(batch);
    const after = await read();
    expect(after).toEqual([
      ['base', before[0][1] + 1, before[0][2], '2026-02-01T00:00:04.000Z', before[0][4]],
      ['other', 2, 1, '2026-02-01T00:00:03.000Z', '2026-02-01T00:00:02.000Z'],
    ]);
    expect((await pool.query(`SELECT 1 FROM read.image_fetches WHERE username = 'erin'`)).rowCount).toBe(1);
    const erin = await pool.query(`SELECT first_at FROM read.image_fetches WHERE username = 'erin'`);
    expect(erin.rows[0].first_at.toISOString()).toBe('2026-02-01T00:00:05.500Z');
    await fold(batch);
    expect(await read()).toEqual(after);
  });
  describe('through the inbox', () => {
    const pulls = (count: number, id = repositoryId): RepositoryActivity => ({
      activityId: randomUUID(),
      repositoryId: null,
      kind: 'batch',
      activities: Array.from({ length: count }, () => ({ activityId: randomUUID(), repositoryId: id, kind: 'pull' as const, at: '2026-03-01T00:00:00.000Z' })),
    });
    const downloads = async () => Number((await pool.query('SELECT download_count FROM read.repositories WHERE repository_id = $1', [repositoryId])).rows[0].download_count);
    const countedBy = async (messages: RepositoryActivity[]) =>
      (await pool.query(`SELECT xmin::text AS tx FROM read.counted_activity WHERE activity_id = ANY($1::uuid[])`, [messages.map((m) => m.activityId)])).rows;

    it('the messages of many gateways that wait are counted in one transaction, not one each', async () => {
      const before = await downloads();
      const messages = Array.from({ length: 30 }, () => pulls(3));
      // Received while no writer runs (as while the last pass holds its transaction): they wait together.
      await Promise.all(messages.map((m) => pool.query(`INSERT INTO read.activity_inbox (message_id, activity) VALUES ($1, $2)`, [m.activityId, JSON.stringify(m)])));
      const writer = new ActivityInbox(pool, { batchSize: 50 });
      await writer.drained();
      await writer.close();
      expect(await downloads()).toBe(before + 90);
      const counted = await countedBy(messages);
      expect(counted).toHaveLength(30);
      expect(new Set(counted.map((row) => row.tx)).size).toBe(1);
      expect(Number((await pool.query('SELECT count(*) AS n FROM read.activity_inbox')).rows[0].n)).toBe(0);
    });

    it('a redelivered message counts once, while it waits and after it was counted', async () => {
      const before = await downloads();
      const message = pulls(2);
      const inbox = new ActivityInbox(pool);
      await Promise.all([inbox.receive(message), inbox.receive(message)]);
      await inbox.drained();
      await inbox.receive(message);
      await inbox.drained();
      await inbox.close();
      expect(await downloads()).toBe(before + 2);
    });

    it('a race: two replicas’ writers on the same messages count each once', async () => {
      const before = await downloads();
      const messages = Array.from({ length: 40 }, () => pulls(2));
      const [one, two] = [new ActivityInbox(pool, { batchSize: 3 }), new ActivityInbox(pool, { batchSize: 3 })];
      await Promise.all(messages.map((m, i) => (i % 2 ? one : two).receive(m)));
      await Promise.all([one.drained(), two.drained()]);
      await Promise.all([one.close(), two.close()]);
      expect(await downloads()).toBe(before + 80);
      expect(await countedBy(messages)).toHaveLength(40);
    });

    it('a message that cannot be folded is dropped alone; the others of its batch are counted', async () => {
      const before = await downloads();
      const good = [pulls(1), pulls(1)];
      // Not a uuid: counted_activity refuses its id.
      const broken = { ...pulls(5), activityId: 'not-a-message-id' };
      const logger = { error: jest.fn() };
      const inbox = new ActivityInbox(pool, { logger });
      for (const message of [good[0], broken, good[1]]) await inbox.receive(message);
      await inbox.drained();
      await inbox.close();
      expect(await downloads()).toBe(before + 2);
      expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ messageId: 'not-a-message-id' }), expect.stringContaining('dropped'));
      expect(Number((await pool.query('SELECT count(*) AS n FROM read.activity_inbox')).rows[0].n)).toBe(0);
    });

    it('messages a crashed writer left are counted by the next one’s start', async () => {
      const before = await downloads();
      const left = pulls(4);
      await pool.query(`INSERT INTO read.activity_inbox (message_id, activity) VALUES ($1, $2)`, [left.activityId, JSON.stringify(left)]);
      const inbox = new ActivityInbox(pool);
      inbox.start();
      await inbox.drained();
      await inbox.close();
      expect(await downloads()).toBe(before + 4);
    });
    it('a lone message on a quiet writer is counted at once, without an inbox row', async () => {
      const before = await downloads();
      const message = pulls(3);
      const inbox = new ActivityInbox(pool);
      const query = jest.spyOn(pool, 'query');
      try {
        await inbox.receive(message);
      } finally {
        query.mockRestore();
      }
      await inbox.close();
      expect(await downloads()).toBe(before + 3);
      expect(query.mock.calls.some(([sql]) => String(sql).includes('activity_inbox'))).toBe(false);
    });

    it('two replicas counting the same message at once count it once', async () => {
      const before = await downloads();
      const message = pulls(2);
      const [one, two] = [new ActivityInbox(pool), new ActivityInbox(pool)];
      await Promise.all([one.receive(message), two.receive(message)]);
      await Promise.all([one.drained(), two.drained()]);
      await Promise.all([one.close(), two.close()]);
      expect(await downloads()).toBe(before + 2);
    });
  });
});
