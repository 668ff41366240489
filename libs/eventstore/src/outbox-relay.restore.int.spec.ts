import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Pool, PoolClient } from 'pg';
import { Counter, Registry } from 'prom-client';
import { PublishedEvent } from '@dockyard/contracts';
import { createTestDatabase, waitUntil } from '../../testing/src';
import { EventStore, OutboxRelay, appendInTransaction, runMigrations } from './index';

/*
 * Issue 14 point 3: the relay after a logical restore. The clusters are Debian's PostgreSQL 15
 * (the embedded package ships no pg_dump): throw-away, on loopback, trust, one per side, so the
 * target's transaction counter starts far below the source's. Run as the postgres OS user when root.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const run = promisify(execFile);
const asPostgres = (cmd: string, args: string[]) =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', cmd, ...args]) : run(cmd, args);

interface Cluster {
  base: string;
  port: number;
  url: (db: string) => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** An initialised, stopped data folder; `clone` copies it, so both clusters share a system identifier. */
async function initCluster(clone?: string): Promise<string> {
  const base = mkdtempSync(join(tmpdir(), 'dockyard-relay-pg-'));
  if (process.getuid?.() === 0) await run('chown', ['postgres:postgres', base]);
  if (clone) await asPostgres('cp', ['-a', join(clone, 'data'), join(base, 'data')]);
  else await asPostgres(`${BIN}/initdb`, ['-D', join(base, 'data'), '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions']);
  return base;
}

async function startCluster(base: string): Promise<Cluster> {
  const port = await freePort();
  const options = `-p ${port} -k ${base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  await asPostgres(`${BIN}/pg_ctl`, ['-D', join(base, 'data'), '-l', join(base, 'pg.log'), '-w', '-o', options, 'start']);
  return {
    base,
    port,
    url: (db) => `postgres://postgres@127.0.0.1:${port}/${db}`,
    stop: async () => {
      await asPostgres(`${BIN}/pg_ctl`, ['-D', join(base, 'data'), '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(base, { recursive: true, force: true });
    },
  };
}

async function sql(url: string, text: string): Promise<Record<string, string>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

/** Burns `n` transaction ids, one committed transaction each. */
const advanceCounter = (url: string, n: number) =>
  sql(url, `DO $$ BEGIN FOR i IN 1..${n} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);

const meta = { correlationId: 'c-1', actor: 'user:test' };
const event = (n: number) => ({ type: 'Happened', data: { n } });

interface Alarms {
  registry: Registry;
  errors: string[];
}

function newRelay(pool: Pool, published: PublishedEvent[], alarms?: Alarms): OutboxRelay {
  return new OutboxRelay({
    pool,
    schema: 'svc',
    source: 'svc',
    pollIntervalMs: 60000,
    registry: alarms?.registry ?? new Registry(),
    logger: { warn: () => undefined, error: (_obj, msg) => alarms?.errors.push(msg ?? '') },
    publish: async (events) => {
      published.push(...events);
    },
  });
}

/**
 * Creates the checkpoint (start) and stops the loop: the tests below drive single passes. The loop
 * makes one pass before it stops, so only on a store with nothing to publish yet.
 */
async function idle(relay: OutboxRelay): Promise<OutboxRelay> {
  await relay.start();
  await relay.stop();
  return relay;
}

async function rebasedCount(registry: Registry, reason: string): Promise<number> {
  const metric = registry.getSingleMetric('dockyard_relay_rebased_total') as Counter | undefined;
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => v.labels.reason === reason && v.labels.source === 'svc').reduce((n, v) => n + v.value, 0);
}

const countBy = (ids: string[]) => ids.reduce((m, id) => m.set(id, (m.get(id) ?? 0) + 1), new Map<string, number>());

const idsOf = async (pool: Pool, streams: string[]): Promise<string[]> =>
  (await pool.query(`SELECT event_id FROM svc.events WHERE stream_id = ANY($1) ORDER BY position`, [streams])).rows.map(
    (r) => r.event_id,
  );

/**
 * The source store: 8 events published; then a late commit (its position below one already
 * published) and a tail event, both committed but unpublished when the dump is taken.
 */
async function sourceStore(url: string) {
  await runMigrations(url, 'svc');
  await advanceCounter(url, 3000);
  const pool = new Pool({ connectionString: url, max: 5 });
  const store = new EventStore(pool, 'svc');
  const published: PublishedEvent[] = [];
  const relay = await idle(newRelay(pool, published));
  for (let i = 0; i < 8; i++) await store.append(`before-${i}`, 0, [event(i)], meta);
  expect(await relay.relayOnce()).toBe(8);

  const early = await pool.connect();
  const late = await pool.connect();
  await early.query('BEGIN');
  await early.query('SELECT pg_current_xact_id()'); // early's id is below late's
  await late.query('BEGIN');
  const latePosition = (await appendInTransaction(late, 'svc', 'late', 0, [event(1)], meta)).position;
  const earlyPosition = (await appendInTransaction(early, 'svc', 'early', 0, [event(2)], meta)).position;
  expect(latePosition < earlyPosition).toBe(true);
  await early.query('COMMIT');
  expect(await relay.relayOnce()).toBe(1); // early; late is still open
  await late.query('COMMIT');
  early.release();
  late.release();
  await store.append('tail', 0, [event(3)], meta);
  expect(await relay.lag()).toBe(2n); // late (position below a published one) and tail

  const { rows: [checkpoint] } = await pool.query(`SELECT transaction_id::text AS tx FROM svc.relay_checkpoints`);
  const sourcePublished = published.map((e) => e.eventId);
  await pool.end();
  return { checkpointTx: BigInt(checkpoint.tx), sourcePublished };
}

async function dumpAndRestore(source: Cluster, target: Cluster): Promise<void> {
  const file = join(source.base, 'hub.dump');
  await asPostgres(`${BIN}/pg_dump`, ['-h', '127.0.0.1', '-p', String(source.port), '-U', 'postgres', '-Fc', '-f', file, 'hub']);
  await sql(target.url('postgres'), 'CREATE DATABASE hub');
  await asPostgres(`${BIN}/pg_restore`, ['-h', '127.0.0.1', '-p', String(target.port), '-U', 'postgres', '-d', 'hub', '--exit-on-error', file]);
}

describe('outbox relay after a logical restore (pg_dump/pg_restore, Debian PostgreSQL 15)', () => {
  const clusters: Cluster[] = [];
  const pools: Pool[] = [];
  const held: PoolClient[] = [];
  afterEach(async () => {
    // The clusters are stopped even when a failed test leaves a pool that will not end.
    try {
      for (const client of held.splice(0)) client.release(true);
      const ended = Promise.all(pools.splice(0).map((p) => p.end()));
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    } finally {
      await Promise.all(clusters.splice(0).map((c) => c.stop()));
    }
  });

  /**
   * After the restore: one event in a transaction left open across the relay's first pass, five
   * committed, later one more. Every event after the restore is published exactly once, the two
   * restored-but-unpublished ones once, none published before the dump again (the at-least-once
   * contract allows a repeat only of a batch whose checkpoint write failed; no write fails here).
   */
  async function scenario(reason: 'cluster' | 'counter', options: { counterPassesCheckpoint?: boolean } = {}) {
    const sourceBase = await initCluster();
    const targetBase = await initCluster(reason === 'counter' ? sourceBase : undefined);
    const source = await startCluster(sourceBase);
    clusters.push(source);
    const target = await startCluster(targetBase);
    clusters.push(target);
    await sql(source.url('postgres'), 'CREATE DATABASE hub');
    const { checkpointTx, sourcePublished } = await sourceStore(source.url('hub'));
    await dumpAndRestore(source, target);

    const [sourceId] = await sql(source.url('postgres'), 'SELECT system_identifier::text AS id FROM pg_control_system()');
    const [targetId] = await sql(target.url('postgres'), 'SELECT system_identifier::text AS id FROM pg_control_system()');
    expect(sourceId.id === targetId.id).toBe(reason === 'counter');

    const pool = new Pool({ connectionString: target.url('hub'), max: 5 });
    pools.push(pool);
    const store = new EventStore(pool, 'svc');
    const slow = await pool.connect();
    held.push(slow);
    await slow.query('BEGIN');
    await appendInTransaction(slow, 'svc', 'after-0', 0, [event(0)], meta);
    for (let i = 1; i <= 5; i++) await store.append(`after-${i}`, 0, [event(i)], meta);
    const { rows: [{ next }] } = await pool.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next`);
    expect(BigInt(next) < checkpointTx).toBe(true); // the restored counter is below the checkpoint
    if (options.counterPassesCheckpoint) {
      await advanceCounter(target.url('hub'), Number(checkpointTx - BigInt(next)) + 50);
      const { rows: [{ now }] } = await pool.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS now`);
      expect(BigInt(now) > checkpointTx).toBe(true);
    }

    const published: PublishedEvent[] = [];
    const alarms: Alarms = { registry: new Registry(), errors: [] };
    const relay = newRelay(pool, published, alarms); // its checkpoint came with the dump; single passes below
    expect(await relay.lag()).toBe(7n); // late, tail, after-1..5 (after-0 is not committed)

    await relay.relayOnce();
    expect(published.map((e) => e.streamId)).toEqual(['late', 'tail']); // after-* wait behind the open after-0
    expect(await relay.lag()).toBe(5n);
    expect(await rebasedCount(alarms.registry, reason)).toBe(1);
    expect(alarms.errors).toHaveLength(1);

    await slow.query('COMMIT');
    expect(await relay.lag()).toBe(6n);
    await relay.relayOnce();
    expect(published.map((e) => e.streamId).slice(2)).toEqual(['after-0', 'after-1', 'after-2', 'after-3', 'after-4', 'after-5']);
    expect(await relay.lag()).toBe(0n);
    expect(await relay.relayOnce()).toBe(0);
    await store.append('after-6', 0, [event(6)], meta);
    expect(await relay.lag()).toBe(1n);
    expect(await relay.relayOnce()).toBe(1);
    expect(await relay.lag()).toBe(0n);
    expect(await rebasedCount(alarms.registry, reason)).toBe(1); // one alarm per restore

    const after = await idsOf(pool, ['after-0', 'after-1', 'after-2', 'after-3', 'after-4', 'after-5', 'after-6']);
    const restoredUnpublished = await idsOf(pool, ['late', 'tail']);
    const counts = countBy(published.map((e) => e.eventId));
    expect(after).toHaveLength(7);
    for (const id of [...after, ...restoredUnpublished]) expect(counts.get(id)).toBe(1);
    expect(sourcePublished).toHaveLength(9);
    for (const id of sourcePublished) expect(counts.has(id)).toBe(false);
    expect(published).toHaveLength(9);
  }

  it('into a fresh cluster: publishes every event after the restore once and raises the alarm', async () => {
    await scenario('cluster');
  });

  it('into a fresh cluster whose counter passed the old checkpoint before the relay ran: nothing skipped', async () => {
    await scenario('cluster', { counterPassesCheckpoint: true });
  });

  it('into a physical copy of the old cluster (same system identifier, counter behind): re-based by the counter', async () => {
    await scenario('counter');
  });
});

describe('outbox relay lag', () => {
  it('counts unpublished rows, not a difference of positions', async () => {
    const url = await createTestDatabase('relaylag');
    await runMigrations(url, 'svc');
    const pool = new Pool({ connectionString: url, max: 5 });
    try {
      const store = new EventStore(pool, 'svc');
      const published: PublishedEvent[] = [];
      const relay = await idle(newRelay(pool, published));
      expect(await relay.lag()).toBe(0n);
      for (let i = 0; i < 3; i++) await store.append(`l-${i}`, 0, [event(i)], meta);
      expect(await relay.lag()).toBe(3n);

      const rolledBack = await pool.connect();
      await rolledBack.query('BEGIN');
      await appendInTransaction(rolledBack, 'svc', 'gone', 0, [1, 2, 3, 4, 5].map(event), meta); // takes 5 positions
      await rolledBack.query('ROLLBACK');
      rolledBack.release();
      for (let i = 3; i < 5; i++) await store.append(`l-${i}`, 0, [event(i)], meta);
      const { rows: [{ max }] } = await pool.query('SELECT max(position)::int AS max FROM svc.events');
      expect(max).toBe(10);
      expect(await relay.lag()).toBe(5n);

      // The horizon is the whole cluster's, and other suites' transactions come and go in it: relay
      // until this store's ready rows are through rather than expecting them in one pass.
      const relayUntil = async (count: number) => {
        let relayed = 0;
        await waitUntil(async () => (relayed += await relay.relayOnce()) >= count, { what: `${count} events relayed` });
        return relayed;
      };
      const slow = await pool.connect();
      try {
        await slow.query('BEGIN');
        await appendInTransaction(slow, 'svc', 'slow', 0, [event(9)], meta);
        await store.append('l-5', 0, [event(5)], meta);
        expect(await relay.lag()).toBe(6n); // the open one is not visible; l-5 is
        expect(await relayUntil(5)).toBe(5); // l-5 waits behind the open transaction
        expect(await relay.relayOnce()).toBe(0);
        expect(await relay.lag()).toBe(1n);
        await slow.query('COMMIT');
      } finally {
        // A failure above must not leave the transaction open: it would hold back every relay of
        // the cluster, every other suite's included, and pool.end() would wait for it for ever.
        await slow.query('ROLLBACK').catch(() => undefined);
        slow.release();
      }
      expect(await relay.lag()).toBe(2n);
      expect(await relayUntil(2)).toBe(2);
      expect(await relay.lag()).toBe(0n);
      expect(published).toHaveLength(7);
    } finally {
      await pool.end();
    }
  });
});
