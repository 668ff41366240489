import { Pool } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';
import { createTestDatabase, waitUntil } from '../../testing/src';
import {
  EventStore,
  OutboxRelay,
  WrongExpectedVersionError,
  appendInTransaction,
  applyOnce,
  runMigrations,
  relayBatchSql,
  toPublished,
  verifyChain,
} from './index';

const meta = { correlationId: 'c-1', actor: 'user:test' };
const event = (n: number) => ({ type: 'Happened', data: { n } });

describe('event store on PostgreSQL', () => {
  let url: string;
  let pool: Pool;
  let store: EventStore;

  beforeAll(async () => {
    url = await createTestDatabase('eventstore');
    await Promise.all([runMigrations(url, 'svc'), runMigrations(url, 'svc')]); // replicas racing
    pool = new Pool({ connectionString: url, max: 25 });
    store = new EventStore(pool, 'svc');
  });
  afterAll(async () => {
    await pool.end();
  });

  it('of 20 concurrent appends at the same expected version exactly one lands', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => store.append('race-1', 0, [event(i), event(i + 100)], meta)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const r of lost) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersionError);
    const stream = await store.readStream('race-1');
    expect(stream.map((e) => e.streamVersion)).toEqual([1, 2]);
    expect(stream[1].data.n).toBe((stream[0].data.n as number) + 100);
  });

  it('appends at a stale version fail; nothing of a failed append is written', async () => {
    await store.append('s-2', 0, [event(1)], meta);
    await expect(store.append('s-2', 0, [event(2)], meta)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(store.append('s-2', 5, [event(2)], meta)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(
      store.append('s-2', 1, [event(2), event(3)], meta, {
        withinTransaction: async () => {
          throw new Error('side effect failed');
        },
      }),
    ).rejects.toThrow('side effect failed');
    expect(await store.streamVersion('s-2')).toBe(1);
    expect(await store.streamVersion('nothing')).toBe(0);
    const result = await store.append('s-2', 1, [event(2)], meta);
    expect(result.streamVersion).toBe(2);
  });

  it('reads all events in position order', async () => {
    const all = await store.readAll(0n, 1000);
    const positions = all.map((e) => e.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect((await store.readAll(all[0].position, 1))[0].position).toBe(all[1].position);
  });

  it('the hash chain detects an edited event, from the store and from published events', async () => {
    await store.append('audit-1', 0, [event(1), { type: 'Secretive', data: {}, secret: { key: 'k' } }, event(3)], meta);
    expect(await store.verifyStream('audit-1')).toEqual({ valid: true });
    const published = (await store.readStream('audit-1')).map((e) => toPublished(e, 'svc'));
    expect(JSON.stringify(published)).not.toContain('"k"');
    expect(verifyChain(published)).toEqual({ valid: true });

    await pool.query(`UPDATE svc.events SET data = '{"n": 99}' WHERE stream_id = 'audit-1' AND stream_version = 1`);
    expect(await store.verifyStream('audit-1')).toEqual({ valid: false, brokenAtVersion: 1 });
    await pool.query(`UPDATE svc.events SET secret = '{"key": "other"}' WHERE stream_id = 'audit-1' AND stream_version = 2`);
    const edited = (await store.readStream('audit-1')).map((e) => toPublished(e, 'svc'));
    expect(verifyChain(edited.slice(1).map((e, i) => ({ ...e, streamVersion: i + 1 })))).toMatchObject({ valid: false });
  });
});

describe('outbox relay', () => {
  let url: string;
  let pool: Pool;
  let store: EventStore;
  const relays: OutboxRelay[] = [];
  const newRelay = (published: PublishedEvent[], options: { fail?: () => boolean; poll?: number } = {}) => {
    const relay = new OutboxRelay({
      pool,
      schema: 'svc',
      source: 'svc',
      pollIntervalMs: options.poll ?? 60000,
      publish: async (events) => {
        if (options.fail?.()) throw new Error('broker down');
        published.push(...events);
      },
    });
    relays.push(relay);
    return relay;
  };

  beforeEach(async () => {
    url = await createTestDatabase('relay');
    await runMigrations(url, 'svc');
    pool = new Pool({ connectionString: url, max: 10 });
    store = new EventStore(pool, 'svc');
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await pool.end();
  });

  /**
   * The relay reads only below the cluster's transaction horizon, which a transaction of any other
   * suite on this PostgreSQL can hold back for a moment: a test that expects one pass to see every
   * committed event waits for the horizon to pass them first.
   */
  const belowHorizon = () =>
    waitUntil(
      async () => {
        const { rows } = await pool.query(
          'SELECT count(*)::int AS n FROM svc.events WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())',
        );
        return rows[0].n === 0;
      },
      { timeoutMs: 20000, what: 'the committed events below the transaction horizon' },
    );

  it('never skips an event whose transaction commits after a later-numbered one', async () => {
    const published: PublishedEvent[] = [];
    const relay = newRelay(published);
    await relay.start();
    await relay.stop(); // only single passes below

    const slow = await pool.connect();
    try {
      await slow.query('BEGIN');
      const a = await appendInTransaction(slow, 'svc', 'a', 0, [event(1)], meta); // position 1, not committed
      const b = await store.append('b', 0, [event(2)], meta); // position 2, committed
      expect(a.position < b.position).toBe(true);

      await relay.relayOnce();
      expect(published).toHaveLength(0); // B waits behind the open transaction of A

      await slow.query('COMMIT');
    } finally {
      // Never left open on a failure: it would hold back every relay of the cluster (all suites).
      await slow.query('ROLLBACK').catch(() => undefined);
      slow.release();
    }
    await belowHorizon();
    await relay.relayOnce();
    expect(published.map((e) => e.streamId)).toEqual(['a', 'b']);
    await relay.relayOnce();
    expect(published).toHaveLength(2);
  });

  it('is woken by NOTIFY without waiting for its poll', async () => {
    const published: PublishedEvent[] = [];
    await newRelay(published, { poll: 60000 }).start();
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await store.append('w', 0, [event(1)], meta);
    while (published.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(published).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('publishes an event held behind an older transaction soon after that ends, with no notification and no poll', async () => {
    const published: PublishedEvent[] = [];
    await newRelay(published, { poll: 60000 }).start();
    await new Promise((r) => setTimeout(r, 200));
    const older = await pool.connect();
    let ended: number;
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()'); // an id below the event's: the horizon stays under it
      await store.append('held', 0, [event(1)], meta); // its NOTIFY wakes the relay, which must not publish yet
      await new Promise((r) => setTimeout(r, 300));
      expect(published).toHaveLength(0);
      ended = Date.now();
      await older.query('COMMIT'); // writes no event: nothing notifies the relay
    } finally {
      await older.query('ROLLBACK').catch(() => undefined);
      older.release();
    }
    while (published.length === 0 && Date.now() - ended < 10000) await new Promise((r) => setTimeout(r, 5));
    expect(published.map((e) => e.streamId)).toEqual(['held']);
    expect(Date.now() - ended).toBeLessThan(10000); // the poll is a minute away
  });

  it('retries a failed publish and skips nothing', async () => {
    const published: PublishedEvent[] = [];
    let failures = 2;
    await newRelay(published, { poll: 50, fail: () => failures-- > 0 }).start();
    for (let i = 1; i <= 5; i++) await store.append('r', i - 1, [event(i)], meta);
    const deadline = Date.now() + 10000;
    while (published.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(published.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
  });

  describe('publishing ahead (the in-process bus: publish resolves once every consumer committed)', () => {
    interface Handed {
      events: PublishedEvent[];
      resolve(): void;
      reject(error: Error): void;
    }
    const aheadRelay = () => {
      const handed: Handed[] = [];
      const relay = new OutboxRelay({
        pool,
        schema: 'svc',
        source: 'svc',
        pollIntervalMs: 60000,
        batchSize: 2,
        publishAhead: 4,
        publish: (events) => new Promise<void>((resolve, reject) => handed.push({ events, resolve, reject })),
      });
      return { relay, handed };
    };
    const settled = () => new Promise((r) => setTimeout(r, 50));

    it('hands on later batches before the first is durable; the checkpoint moves only past durable ones, in order', async () => {
      const { relay, handed } = aheadRelay();
      await relay.start();
      await relay.stop(); // single passes below
      for (let i = 1; i <= 6; i++) await store.append(`ahead-${i}`, 0, [event(i)], meta);
      await belowHorizon();

      await relay.relayOnce();
      expect(handed.map((batch) => batch.events.length)).toEqual([2, 2, 2]); // none awaited yet
      expect(await relay.lag()).toBe(6n);

      handed[1].resolve(); // the second is durable, the first not: the checkpoint must not pass either
      await settled();
      expect(await relay.lag()).toBe(6n);
      handed[0].resolve();
      await settled();
      expect(await relay.lag()).toBe(2n);
      handed[2].resolve();
      await settled();
      expect(await relay.lag()).toBe(0n);

      await relay.relayOnce(); // nothing new: nothing handed on again
      expect(handed).toHaveLength(3);
    });

    it('after a batch fails, starts again from the last durable one: nothing lost, the rest published again', async () => {
      const { relay, handed } = aheadRelay();
      await relay.start();
      await relay.stop();
      for (let i = 1; i <= 6; i++) await store.append(`fail-${i}`, 0, [event(i)], meta);
      await belowHorizon();

      await relay.relayOnce();
      handed[0].resolve();
      handed[1].reject(new Error('consumer group closed'));
      handed[2].resolve();
      await settled();
      expect(await relay.lag()).toBe(4n); // only the first batch is durable

      await expect(relay.relayOnce()).rejects.toThrow('consumer group closed');
      await relay.relayOnce();
      const again = handed.slice(3);
      expect(again.flatMap((batch) => batch.events.map((e) => e.streamId))).toEqual(['fail-3', 'fail-4', 'fail-5', 'fail-6']);
      again.forEach((batch) => batch.resolve());
      await settled();
      expect(await relay.lag()).toBe(0n);
    });
  });

  it('a pass reads from its cursor on, not the whole store, before any statistics exist', async () => {
    // A busy hub's first minutes: thousands of rows, the planner's statistics not caught up. With
    // only (origin, position) and (transaction_id, position) to choose from, it read every row of
    // the origin and sorted them, on every pass.
    await pool.query(`ALTER TABLE svc.events SET (autovacuum_enabled = false)`);
    await pool.query(`INSERT INTO svc.events (event_id, stream_id, stream_version, type, schema_version, data, metadata, prev_hash, hash)
      SELECT gen_random_uuid(), 'bulk-' || n, 1, 'Happened', 1, '{}', '{}', '', '' FROM generate_series(1, 3000) AS n`);
    await belowHorizon();
    const { rows: [cursor] } = await pool.query(
      `SELECT origin::text, transaction_id::text AS tx, position::text AS at FROM svc.events ORDER BY transaction_id DESC, position DESC LIMIT 1`,
    );
    const { rows: [{ 'QUERY PLAN': plans }] } = await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${relayBatchSql('svc', true)}`, [
      cursor.origin, '0', cursor.tx, cursor.at, 100,
    ]);
    type PlanNode = { 'Relation Name'?: string; 'Actual Rows': number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; Plans?: PlanNode[] };
    const rowsRead = (node: PlanNode): number =>
      (node['Relation Name'] === 'events' ? node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0) : 0) +
      (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child), 0);
    // Nothing is past the cursor: a pass that reads it needs no row at all.
    expect(rowsRead(plans[0].Plan)).toBeLessThan(10);
  });

  it('two relays on one store never publish the same event twice', async () => {
    const first: PublishedEvent[] = [];
    const second: PublishedEvent[] = [];
    await newRelay(first, { poll: 20 }).start();
    await newRelay(second, { poll: 20 }).start();
    for (let i = 0; i < 30; i++) await store.append(`two-${i}`, 0, [event(i)], meta);
    const deadline = Date.now() + 10000;
    while (first.length + second.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    const ids = [...first, ...second].map((e) => e.eventId);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    expect(first.length === 0 || second.length === 0).toBe(true);
  });
});

describe('idempotent consumer', () => {
  let pool: Pool;
  beforeAll(async () => {
    const url = await createTestDatabase('consumer');
    await runMigrations(url, 'proj');
    pool = new Pool({ connectionString: url });
    await pool.query('CREATE TABLE proj.counter (stream text PRIMARY KEY, n int)');
  });
  afterAll(() => pool.end());

  const published = (version: number): PublishedEvent => ({
    eventId: `00000000-0000-4000-8000-00000000000${version}`,
    source: 'svc',
    streamId: 'x',
    streamVersion: version,
    position: String(version),
    type: 'Happened',
    schemaVersion: 1,
    data: {},
    metadata: { ...meta, occurredAt: new Date().toISOString() },
    hash: '',
    prevHash: '',
    secretDigest: '',
  });
  const count = (e: PublishedEvent) =>
    applyOnce(pool, 'proj', 'counter', e, async (client) => {
      await client.query(
        `INSERT INTO proj.counter VALUES ('x', 1) ON CONFLICT (stream) DO UPDATE SET n = proj.counter.n + 1`,
      );
    });
  const value = async () => (await pool.query(`SELECT n FROM proj.counter WHERE stream = 'x'`)).rows[0]?.n ?? 0;

  it('applies each event once, however often it is delivered or replayed', async () => {
    expect(await count(published(1))).toBe(true);
    expect(await count(published(1))).toBe(false);
    expect(await count(published(2))).toBe(true);
    for (const v of [1, 2, 1, 2]) expect(await count(published(v))).toBe(false);
    expect(await value()).toBe(2);
  });

  it('an effect that throws leaves no checkpoint, so the event is applied on the next delivery', async () => {
    await expect(
      applyOnce(pool, 'proj', 'counter', published(3), async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await count(published(3))).toBe(true);
    expect(await value()).toBe(3);
  });
});
