import { Client, Pool, PoolClient } from 'pg';
import { PublishedEvent, READ_SCHEMA, userStreamId } from '@dockyard/contracts';
import { READ_MODEL_CHANGES_CHANNEL, StreamConsumer, announceBarrier, parseReadModelChange, runMigrations } from '@dockyard/eventstore';
import { createLogger } from '@dockyard/runtime';
import { createTestDatabase, waitUntil } from '../../../../libs/testing/src';
import { ReadYourWrites } from '../http/read-your-writes';
import { UsersReadModel } from '../users/users.read-model';
import { HotReads } from './hot-reads';
import { HOT_VIEW_APPLICATION_NAME, ReadModelChanges, SOLE_GATEWAY_LOCK } from './read-model-changes';

/** A user stream's event as the accounts service publishes it (no hash: the chain is not under test). */
const userEvent = (username: string, version: number, credentialsVersion: number): PublishedEvent => ({
  eventId: `e-${username}-${version}`,
  source: 'accounts',
  streamId: userStreamId(username),
  streamVersion: version,
  position: String(version),
  type: version === 1 ? 'UserRegistered' : 'PasswordChanged',
  schemaVersion: 1,
  data: { username, credentialsVersion },
  metadata: { correlationId: 'c', actor: 'system:test', occurredAt: new Date().toISOString() },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

/** The users projection's shape, reduced to what the gateway reads. */
const effect = async (client: PoolClient, event: PublishedEvent) => {
  const { username, credentialsVersion } = event.data as { username: string; credentialsVersion: number };
  await client.query(
    `INSERT INTO users (username, emails, active, admin, credentials_version) VALUES ($1, '{}', true, false, $2)
     ON CONFLICT (username) DO UPDATE SET credentials_version = excluded.credentials_version`,
    [username, credentialsVersion],
  );
};

/**
 * The read-model channel against real PostgreSQL: the projector's consumer announces what it
 * applied, a gateway's view answers from memory yet never older than a committed change, read-your-
 * writes is woken by the announcement, and losing the LISTEN session loses nothing.
 */
describe('read-model changes (real PostgreSQL)', () => {
  const logger = createLogger('test', 'silent');
  let url: string;
  let pool: Pool;
  let consumer: StreamConsumer;
  let changes: ReadModelChanges;
  let hot: HotReads;
  let users: UsersReadModel;
  let reads = 0;

  beforeAll(async () => {
    url = await createTestDatabase('hot');
    await runMigrations(url, READ_SCHEMA);
    pool = new Pool({ connectionString: url, max: 6 });
    await pool.query(`CREATE TABLE read.users (username text PRIMARY KEY, emails text[] NOT NULL, active boolean NOT NULL,
      admin boolean NOT NULL, credentials_version int NOT NULL)`);
    consumer = new StreamConsumer({ pool, schema: READ_SCHEMA, consumer: 'users', effect, notifyChannel: READ_MODEL_CHANGES_CHANNEL });
    changes = new ReadModelChanges(url, logger, 50);
    await changes.start();
    hot = new HotReads(changes, 1000);
    const counting = Object.create(pool) as Pool;
    counting.query = ((...args: Parameters<Pool['query']>) => {
      reads++;
      return (pool.query as (...a: unknown[]) => unknown)(...args);
    }) as Pool['query'];
    users = new UsersReadModel(counting, hot);
  });
  afterAll(async () => {
    await changes?.close();
    await pool?.end();
  });

  /** A session of its own LISTENing on the channel (another replica's), and what it has heard. */
  const listenOnTheChannel = async () => {
    const listener = new Client(url);
    await listener.connect();
    const heard: unknown[] = [];
    listener.on('notification', (m) => heard.push(parseReadModelChange(m.payload)));
    await listener.query(`LISTEN ${READ_MODEL_CHANGES_CHANNEL}`);
    return { listener, heard };
  };

  it('the consumer announces each applied event at commit, and nothing for a duplicate', async () => {
    const { listener, heard } = await listenOnTheChannel();
    try {
      expect(await consumer.handle(userEvent('ann', 1, 1))).toBe('applied');
      expect(await consumer.handle(userEvent('ann', 1, 1))).toBe('duplicate');
      await listener.query('SELECT 1'); // everything committed before it has arrived
      expect(heard).toEqual([
        { kind: 'applied', consumer: 'users', streamId: 'user-ann', streamVersion: 1, subjects: { username: 'ann' } },
      ]);
    } finally {
      await listener.end();
    }
  });

  it('answers from memory, yet never older than a change committed before the read (fence)', async () => {
    await consumer.handle(userEvent('bob', 1, 1));
    // (a read racing the registration's notification is not kept: fence first, so this one is)
    await changes.fence();
    expect((await users.find('bob'))?.credentialsVersion).toBe(1);
    const before = reads;
    expect((await users.find('bob'))?.credentialsVersion).toBe(1);
    expect(reads).toBe(before); // from memory
    for (let version = 2; version <= 51; version++) {
      await consumer.handle(userEvent('bob', version, version)); // committed when this resolves
      expect((await users.find('bob'))?.credentialsVersion).toBe(version);
    }
  });

  it('one probe per request: its later reads reuse it; a request that arrives after a commit sends its own and sees the change', async () => {
    const probe = jest.spyOn(changes as unknown as { probe(): Promise<void> }, 'probe');
    try {
      await consumer.handle(userEvent('carol', 1, 1));
      await changes.fence();
      await users.find('carol'); // kept
      const before = reads;
      const arrived = performance.now();
      expect((await users.find('carol', arrived))?.credentialsVersion).toBe(1);
      const probes = probe.mock.calls.length;
      expect((await users.find('carol', arrived))?.credentialsVersion).toBe(1);
      expect((await users.find('carol', arrived))?.credentialsVersion).toBe(1);
      expect(probe.mock.calls.length).toBe(probes); // the request's later reads: no probe of their own
      expect(reads).toBe(before); // and all from memory
      await consumer.handle(userEvent('carol', 2, 2)); // committed after that request's probe was sent
      const next = performance.now();
      expect((await users.find('carol', next))?.credentialsVersion).toBe(2);
      // Not from memory on the earlier probe: a probe of its own, or the row already dropped by the
      // change's notification and read again.
      expect(probe.mock.calls.length - probes + (reads - before)).toBeGreaterThan(0);
    } finally {
      probe.mockRestore();
    }
  });

  it('read-your-writes returns on the notification, and answers 503 when the projection does not catch up', async () => {
    const ryw = new ReadYourWrites(pool, 3000, undefined, changes);
    await consumer.handle(userEvent('cid', 1, 1));
    const started = Date.now();
    const waiting = ryw.waitFor('users', { source: 'accounts', streamId: 'user-cid', streamVersion: 2 });
    setTimeout(() => void consumer.handle(userEvent('cid', 2, 2)), 200);
    await waiting;
    expect(Date.now() - started).toBeLessThan(2500);
    const short = new ReadYourWrites(pool, 300, undefined, changes);
    await expect(short.waitFor('users', { source: 'accounts', streamId: 'user-cid', streamVersion: 3 })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('read-your-writes answers only after a barrier committed after the change: every other session has been signalled of it by then', async () => {
    // Another replica's LISTEN session. PostgreSQL makes a commit visible, then signals the
    // listening sessions one by one: a replica may hear a change (or read the checkpoint) before
    // another is signalled. A barrier's commit returns once every session has been signalled.
    const { listener: other, heard } = await listenOnTheChannel();
    try {
      const ryw = new ReadYourWrites(pool, 3000, undefined, changes);
      const waiting = ryw.waitFor('users', { source: 'accounts', streamId: 'user-eve', streamVersion: 1 });
      await consumer.handle(userEvent('eve', 1, 1));
      await waiting;
      await other.query('SELECT 1');
      const applied = { kind: 'applied', consumer: 'users', streamId: 'user-eve', streamVersion: 1, subjects: { username: 'eve' } };
      expect(heard).toEqual([applied, { kind: 'barrier' }]);
      // A version applied long ago (a replayed write): answered at once, with its barrier too.
      await ryw.waitFor('users', { source: 'accounts', streamId: 'user-eve', streamVersion: 1 });
      await other.query('SELECT 1');
      expect(heard).toEqual([applied, { kind: 'barrier' }, { kind: 'barrier' }]);
    } finally {
      await other.end();
    }
  });

  it('two writes of one request (a push: its repository, then its image list) end with one barrier, after both are applied', async () => {
    const { listener: other, heard } = await listenOnTheChannel();
    try {
      const ryw = new ReadYourWrites(pool, 3000, undefined, changes);
      // The second write is known only later, as the image list's command reply is.
      let reply!: (written: { source: 'accounts'; streamId: string; streamVersion: number }) => void;
      const secondWrite = new Promise<{ source: 'accounts'; streamId: string; streamVersion: number }>((resolve) => (reply = resolve));
      const waiting = ryw.waitForAll([
        { projection: 'users', written: { source: 'accounts', streamId: 'user-gus', streamVersion: 1 } },
        { projection: 'users', written: secondWrite },
      ]);
      await consumer.handle(userEvent('gus', 1, 1));
      await new Promise((r) => setTimeout(r, 100));
      reply({ source: 'accounts', streamId: 'user-hal', streamVersion: 1 });
      await consumer.handle(userEvent('hal', 1, 1));
      await waiting;
      await other.query('SELECT 1');
      expect(heard.map((change) => (change as { kind: string; streamId?: string }).streamId ?? (change as { kind: string }).kind)).toEqual([
        'user-gus',
        'user-hal',
        'barrier',
      ]);
    } finally {
      await other.end();
    }
  });

  it('one of two writes never applied: 503 once both waits settled, and no barrier', async () => {
    const { listener: other, heard } = await listenOnTheChannel();
    try {
      const ryw = new ReadYourWrites(pool, 300, undefined, changes);
      await consumer.handle(userEvent('ida', 1, 1));
      await expect(
        ryw.waitForAll([
          { projection: 'users', written: { source: 'accounts', streamId: 'user-ida', streamVersion: 1 } },
          { projection: 'users', written: { source: 'accounts', streamId: 'user-ida', streamVersion: 2 } },
        ]),
      ).rejects.toMatchObject({ code: 'unavailable' });
      await other.query('SELECT 1');
      expect(heard).not.toContainEqual({ kind: 'barrier' });
    } finally {
      await other.end();
    }
  });

  it('a barrier names no row: the view keeps what it holds', async () => {
    await consumer.handle(userEvent('fay', 1, 1));
    await changes.fence();
    expect((await users.find('fay'))?.credentialsVersion).toBe(1);
    await announceBarrier(pool);
    await changes.fence(); // the barrier has been heard
    const before = reads;
    expect((await users.find('fay'))?.credentialsVersion).toBe(1);
    expect(reads).toBe(before);
  });

  it('a terminated LISTEN session: reads stay correct meanwhile, it reconnects by itself, and the view starts afresh', async () => {
    await consumer.handle(userEvent('dan', 1, 1));
    expect((await users.find('dan'))?.credentialsVersion).toBe(1);
    const admin = new Client(url);
    await admin.connect();
    try {
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
        [HOT_VIEW_APPLICATION_NAME],
      );
      expect(killed.rows).toEqual([{ ok: true }]);
    } finally {
      await admin.end();
    }
    // Changes committed while nobody listens are not heard: they must still be read.
    for (let version = 2; version <= 5; version++) {
      await consumer.handle(userEvent('dan', version, version));
      expect((await users.find('dan'))?.credentialsVersion).toBe(version);
    }
    await waitUntil(async () => changes.listening, { timeoutMs: 10000, what: 'the LISTEN session to come back' });
    expect((await users.find('dan'))?.credentialsVersion).toBe(5);
    await consumer.handle(userEvent('dan', 6, 6));
    expect((await users.find('dan'))?.credentialsVersion).toBe(6);
    // and read-your-writes is woken by notifications again
    const ryw = new ReadYourWrites(pool, 3000, undefined, changes);
    const waiting = ryw.waitFor('users', { source: 'accounts', streamId: 'user-dan', streamVersion: 7 });
    await consumer.handle(userEvent('dan', 7, 7));
    await waiting;
  });

  describe('a sole gateway (the standalone hub): no fence on reads', () => {
    /** Ends `sole`'s LISTEN session and takes the lock on `taker`'s session before `sole` reconnects. */
    const killSessionAndTakeLock = async (sole: ReadModelChanges, taker: Client) => {
      await pool.query('SELECT pg_terminate_backend($1)', [sole.backendPid]);
      await waitUntil(
        async () => (await taker.query('SELECT pg_try_advisory_lock($1) AS held', [SOLE_GATEWAY_LOCK.toString()])).rows[0].held === true,
        { what: 'the lock to be free' },
      );
    };

    it('answers from memory without a probe, yet a write it acknowledged is in its view when the answer goes (a replayed write too)', async () => {
      const sole = new ReadModelChanges(url, logger, 50, { displaced: jest.fn() });
      await sole.start();
      try {
        const soleUsers = new UsersReadModel(pool, new HotReads(sole, 1000));
        const ryw = new ReadYourWrites(pool, 3000, undefined, sole);
        const probe = jest.spyOn(sole as unknown as { probe(): Promise<void> }, 'probe');
        await consumer.handle(userEvent('sol', 1, 1));
        await ryw.waitFor('users', { source: 'accounts', streamId: 'user-sol', streamVersion: 1 });
        for (let version = 2; version <= 40; version++) {
          expect((await soleUsers.find('sol'))?.credentialsVersion).toBe(version - 1); // kept, or read and kept
          // Committed before the wait begins: the wait ends on the checkpoint it reads, before this
          // session may have heard the change. The answer must wait until it has.
          await consumer.handle(userEvent('sol', version, version));
          await ryw.waitFor('users', { source: 'accounts', streamId: 'user-sol', streamVersion: version });
          const probes = probe.mock.calls.length;
          expect((await soleUsers.find('sol'))?.credentialsVersion).toBe(version);
          expect(probe.mock.calls.length).toBe(probes); // the read sent no probe
        }
      } finally {
        await sole.close();
      }
    });

    it('a second one on the same database is refused at start; the first keeps listening', async () => {
      const first = new ReadModelChanges(url, logger, 50, { displaced: jest.fn() });
      await first.start();
      const second = new ReadModelChanges(url, logger, 50, { displaced: jest.fn(), lockWaitMs: 300 });
      try {
        await expect(second.start()).rejects.toThrow('another standalone hub serves this database');
        expect(second.listening).toBe(false);
        expect(first.listening).toBe(true);
      } finally {
        await second.close();
        await first.close();
      }
    });

    it('its session lost and the lock taken by another hub meanwhile: it stops listening and says it was displaced', async () => {
      const displaced = jest.fn();
      const sole = new ReadModelChanges(url, logger, 1000, { displaced, lockWaitMs: 1000 });
      await sole.start();
      const other = new Client(url);
      await other.connect();
      try {
        await killSessionAndTakeLock(sole, other);
        await waitUntil(() => displaced.mock.calls.length > 0, { what: 'the gateway to find itself displaced' });
        expect(sole.listening).toBe(false);
      } finally {
        await other.end();
        await sole.close();
      }
    });

    it('its own earlier session still holding the lock (a network loss the server has not noticed): that backend is ended, and it listens again', async () => {
      const displaced = jest.fn();
      const sole = new ReadModelChanges(url, logger, 500, { displaced, lockWaitMs: 3000 });
      await sole.start();
      // Stands for the earlier session the server keeps: same name, holding the lock.
      const lingering = new Client({ connectionString: url, application_name: HOT_VIEW_APPLICATION_NAME });
      await lingering.connect();
      lingering.on('error', () => undefined);
      try {
        const first = sole.backendPid!;
        await killSessionAndTakeLock(sole, lingering);
        (sole as unknown as { soleBackendPid: number }).soleBackendPid = (lingering as unknown as { processID: number }).processID;
        await waitUntil(() => sole.listening && sole.backendPid !== first, { what: 'the session to be back' });
        expect(displaced).not.toHaveBeenCalled();
        const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [
          (lingering as unknown as { processID: number }).processID,
        ]);
        expect(rows[0].n).toBe(0);
      } finally {
        await lingering.end().catch(() => undefined);
        await sole.close();
      }
    });
  });
});
