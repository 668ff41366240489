import { Client, Pool, PoolClient } from 'pg';
import { createTestDatabase } from '../../testing/src';
import { EventStore, HandledCommands, inTransaction, runMigrations } from './index';

const meta = (commandId?: string) => ({ correlationId: 'c-1', actor: 'user:test', commandId });
const event = (n: number) => ({ type: 'Happened', data: { n } });

/**
 * An append wakes its store's relays after its commit, never from inside its transaction: a
 * transaction with a NOTIFY holds PostgreSQL's cluster-wide notification lock through its commit's
 * disk flush, so every appending and announcing commit of the hub waited for the one before it
 * (relay-wake.ts). Each test listens as a relay does and records what each session sent.
 */
describe('relay wake-ups of appends (real PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  let store: EventStore;
  let handled: HandledCommands;
  let relay: Client;
  let wakes: number;
  /** Each statement a pooled session ran, in order, with the transaction state it ran in. */
  let sent: string[];

  beforeAll(async () => {
    url = await createTestDatabase('relaywake');
    await runMigrations(url, 'svc');
    pool = new Pool({ connectionString: url, max: 4 });
    pool.on('connect', (client: PoolClient) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        sent.push(text);
        return query(...args);
      };
    });
    store = new EventStore(pool, 'svc');
    handled = new HandledCommands(pool, 'svc');
    relay = new Client(url);
    await relay.connect();
    relay.on('notification', (message) => message.channel === 'svc_events' && wakes++);
    await relay.query('LISTEN svc_events');
  });
  beforeEach(() => {
    wakes = 0;
    sent = [];
  });
  afterAll(async () => {
    await relay?.end();
    await pool?.end();
  });

  /** Everything committed before this has reached the relay's session (its notifications come first). */
  const heardSoFar = async () => {
    await relay.query('SELECT 1');
    return wakes;
  };
  const notifiesInsideTheTransaction = () => {
    const inside: string[] = [];
    let open = false;
    for (const text of sent) {
      for (const statement of text.split(';').map((s) => s.trim())) {
        if (/^BEGIN/i.test(statement)) open = true;
        if (open && /pg_notify/i.test(statement)) inside.push(statement);
        if (/^(COMMIT|ROLLBACK)$/i.test(statement)) open = false;
      }
    }
    return inside;
  };

  it('an append in a transaction of its own wakes the relays once, after its commit', async () => {
    await store.append('wake-1', 0, [event(1), event(2)], meta());
    expect(await heardSoFar()).toBe(1);
    expect(notifiesInsideTheTransaction()).toEqual([]);
    expect(sent.some((text) => /COMMIT;\s*SELECT pg_notify\('svc_events', ''\)/.test(text))).toBe(true);
  });

  it('a command appending twice wakes them once, after the commit that records its outcome', async () => {
    await handled.runOnce('wake-cmd-1', async () => {
      await store.append('wake-2', 0, [event(1)], meta('wake-cmd-1'));
      await store.append('wake-3', 0, [event(1)], meta('wake-cmd-1'));
      return 'done';
    });
    expect(await heardSoFar()).toBe(1);
    expect(notifiesInsideTheTransaction()).toEqual([]);
    expect((await store.readStream('wake-3')).length).toBe(1);
  });

  it('a command that fails after appending wakes nothing, and its session carries no wake-up into the next transaction', async () => {
    // One session, so the next transaction surely runs on the one that appended.
    const single = new Pool({ connectionString: url, max: 1 });
    try {
      const singleStore = new EventStore(single, 'svc');
      await expect(
        new HandledCommands(single, 'svc').runOnce('wake-cmd-2', async () => {
          await singleStore.append('wake-4', 0, [event(1)], meta('wake-cmd-2'));
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      const commitNothing = () => inTransaction(single, async (client) => client.query('SELECT 1'));
      await commitNothing();
      expect(await heardSoFar()).toBe(0);
      // And an append whose own transaction fails after the insert (a claim taken, say).
      const claimTaken = async () => {
        throw new Error('claim taken');
      };
      await expect(singleStore.append('wake-5', 0, [event(1)], meta(), { withinTransaction: claimTaken })).rejects.toThrow('claim taken');
      await commitNothing();
      expect(await heardSoFar()).toBe(0);
      expect(await singleStore.readStream('wake-5')).toEqual([]);
    } finally {
      await single.end();
    }
  });
});
