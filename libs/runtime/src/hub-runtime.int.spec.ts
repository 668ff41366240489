import { Client } from 'pg';
import { createTestHub, TestHub, waitUntil } from '@dockyard/testing';

/**
 * PostgreSQL restarting ends every session, including those of clients checked out of the pool at
 * that moment (a consumer's transaction, a relay's lock session). Such a client emits 'error'; the
 * pool listens only to idle ones. Unheard, that event is an uncaught exception that kills the
 * process (the projector died of it when the fault suite restarted PostgreSQL).
 */
describe('HubRuntime pools when the server ends a session', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await createTestHub('pool_errors');
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('a checked-out client whose backend is terminated rejects its query and raises no uncaught exception', async () => {
    const uncaught: unknown[] = [];
    const note = (error: unknown) => uncaught.push(error);
    // Jest would report the exception as a failure too; this names it.
    process.on('uncaughtException', note);
    try {
      const pool = hub.runtime.pool('projector');
      const held = await pool.connect();
      const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const killer = new Client(hub.url);
      await killer.connect();
      // Awaited below; its rejection is expected from the start (it comes while the killer still talks).
      const sleeping = expect(held.query('SELECT pg_sleep(30)')).rejects.toThrow(/terminat/);
      await killer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await killer.end();
      await sleeping;
      held.release(true);
      // The end of the socket arrives after the query's rejection; give it its turn.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(uncaught).toEqual([]);
      // And the pool serves again with a fresh session.
      await waitUntil(async () => (await pool.query('SELECT 1 AS one')).rows[0].one === 1, { timeoutMs: 5000 });
    } finally {
      process.off('uncaughtException', note);
    }
  });

  it('an idle checked-out client (a lock holder between passes) survives its session ending too', async () => {
    const pool = hub.runtime.pool('tokens');
    const held = await pool.connect();
    const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => held.once('end', resolve));
    const killer = new Client(hub.url);
    await killer.connect();
    await killer.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await killer.end();
    await ended;
    held.release(true);
    expect((await pool.query('SELECT 2 AS two')).rows[0].two).toBe(2);
  });
});

/**
 * The standalone hub stops its embedded PostgreSQL right after closing the pools. `pool.end()`
 * resolves once it has asked its clients to close, before their backends have read the goodbye: a
 * server stopped then tells those sessions "terminating connection due to administrator command",
 * logged as lost connections (the standalone Ctrl-C case failed on a fresh-clone CI run with it).
 */
describe('HubRuntime close', () => {
  it('resolves only once every pooled connection has closed', async () => {
    const hub = await createTestHub('pool_close');
    const pool = hub.runtime.pool('accounts');
    let connected = 0;
    let ended = 0;
    pool.on('connect', (client) => {
      connected++;
      client.once('end', () => ended++);
    });
    // Three sessions at once, then idle in the pool.
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    expect(connected).toBe(3);
    try {
      await hub.runtime.close();
      expect(ended).toBe(connected);
    } finally {
      await hub.close();
    }
  });
});

/**
 * A prepared statement must not keep a plan made for a table as it was: the hub's tables start
 * empty, and a generic plan made after an ANALYZE of a few rows scans the whole table until the next ANALYZE.
 */
describe('HubRuntime pools and prepared statements’ plans', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await createTestHub('pool_plans');
  });

  afterAll(async () => {
    await hub?.close();
  });

  it('plans every execution for its values, also of a statement run many times on a table grown since its ANALYZE', async () => {
    const pool = hub.runtime.pool('projector');
    await pool.query(`CREATE TABLE grown (seq bigint PRIMARY KEY, activity_id text UNIQUE, data text)`);
    await pool.query(`INSERT INTO grown SELECT s, 'a-' || s, repeat('x', 100) FROM generate_series(1, 5) s`);
    // What autovacuum does to a new table after its first rows.
    await pool.query('ANALYZE grown');
    const lookup = 'SELECT seq FROM grown WHERE activity_id = ANY($1::text[])';
    const client = await pool.connect();
    try {
      for (let i = 0; i < 10; i++) await client.query(lookup, [[`a-${i}`]]);
      await client.query(`INSERT INTO grown SELECT s, 'a-' || s, repeat('x', 100) FROM generate_series(6, 50000) s`);
      for (let i = 0; i < 5; i++) expect((await client.query(lookup, [[`a-${40000 + i}`]])).rows).toHaveLength(1);
      // The hub's client prepared it (StatementNames): PostgreSQL counts the plans it made for it.
      const { rows } = await client.query<{ generic: string; custom: string }>(
        `SELECT generic_plans::text AS generic, custom_plans::text AS custom FROM pg_prepared_statements WHERE statement = $1`,
        [lookup],
      );
      // PostgreSQL's default mode keeps a generic plan from the sixth run on: the one made on five rows.
      expect(rows).toEqual([{ generic: '0', custom: '15' }]);
    } finally {
      client.release();
    }
  });
});
