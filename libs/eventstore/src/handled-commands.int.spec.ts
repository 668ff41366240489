import { Pool } from 'pg';
import { DomainError } from '@dockyard/contracts';
import { createTestDatabase, promiseHooksAreOn } from '../../testing/src';
import { DuplicateEventError, EventStore, HandledCommands, eventIdFor, runMigrations } from './index';

const meta = (commandId?: string) => ({ correlationId: 'c-1', actor: 'user:test', commandId });
const event = (n: number) => ({ type: 'Happened', data: { n } });

describe('commands executed once (handled_commands with the events)', () => {
  let pool: Pool;
  let store: EventStore;
  let handled: HandledCommands;

  beforeAll(async () => {
    const url = await createTestDatabase('handledcommands');
    await runMigrations(url, 'svc');
    await runMigrations(url, 'svc_other');
    pool = new Pool({ connectionString: url, max: 10 });
    store = new EventStore(pool, 'svc');
    handled = new HandledCommands(pool, 'svc');
  });
  afterAll(async () => {
    await pool.end();
  });

  const recorded = async (commandId: string) =>
    (await pool.query('SELECT reply FROM svc.handled_commands WHERE command_id = $1', [commandId])).rows.map((r) => r.reply);

  it('a repeat is answered with the first reply and appends nothing; event ids derive from the command id', async () => {
    let runs = 0;
    const command = () =>
      handled.runOnce('cmd-1', async () => {
        runs++;
        const result = await store.append('once-1', await store.streamVersion('once-1'), [event(runs), event(runs + 10)], meta('cmd-1'));
        return { version: result.streamVersion, run: runs };
      });
    expect(await command()).toEqual({ version: 2, run: 1 });
    expect(await command()).toEqual({ version: 2, run: 1 });
    expect(runs).toBe(1);
    const stream = await store.readStream('once-1');
    expect(stream.map((e) => e.eventId)).toEqual([eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1)]);
    expect(await recorded('cmd-1')).toEqual([{ ok: true, result: { version: 2, run: 1 } }]);
  });

  it('a handler that throws after its append leaves neither the events nor the record', async () => {
    await expect(
      handled.runOnce('cmd-2', async () => {
        await store.append('once-2', 0, [event(1)], meta('cmd-2'));
        throw new Error('mail server down');
      }),
    ).rejects.toThrow('mail server down');
    expect(await store.readStream('once-2')).toEqual([]);
    expect(await recorded('cmd-2')).toEqual([]);
    // Not remembered, so a retry executes it.
    expect(await handled.runOnce('cmd-2', async () => (await store.append('once-2', 0, [event(1)], meta('cmd-2'))).streamVersion)).toBe(1);
  });

  it('a DomainError after an append keeps both: a repeat gets the same error', async () => {
    let runs = 0;
    const command = () =>
      handled.runOnce('cmd-3', async () => {
        runs++;
        await store.append('once-3', await store.streamVersion('once-3'), [event(runs)], meta('cmd-3'));
        throw new DomainError('invalid', 'Checksum mismatch');
      });
    await expect(command()).rejects.toMatchObject({ code: 'invalid', message: 'Checksum mismatch' });
    await expect(command()).rejects.toMatchObject({ code: 'invalid', message: 'Checksum mismatch' });
    expect(runs).toBe(1);
    expect(await store.readStream('once-3')).toHaveLength(1);
  });

  it('of concurrent deliveries of one command exactly one executes; all answer its reply', async () => {
    let runs = 0;
    const replies = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        handled.runOnce('cmd-4', async () => {
          runs++;
          const version = await store.streamVersion('once-4');
          await store.append('once-4', version, [event(i)], meta('cmd-4'));
          return { by: i };
        }).catch((error: unknown) => error),
      ),
    );
    const stream = await store.readStream('once-4');
    expect(stream).toHaveLength(1);
    const winner = stream[0].data.n;
    // A delivery that decided on stale state (it saw version 0) retries nothing here: it answers the
    // recorded reply, never a second append.
    for (const reply of replies) expect(reply).toEqual({ by: winner });
    expect(runs).toBeGreaterThanOrEqual(1);
  });

  it('the store refuses an event id it already holds, even outside any command', async () => {
    await store.append('dup-1', 0, [event(1)], meta());
    const [stored] = await store.readStream('dup-1');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { appendInTransaction } = await import('./append-to-stream');
      await expect(appendInTransaction(client, 'svc', 'dup-2', 0, [event(2)], meta(), [stored.eventId])).rejects.toBeInstanceOf(
        DuplicateEventError,
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.readStream('dup-2')).toEqual([]);
  });

  it('a command executed again after its record was pruned is refused by its event ids', async () => {
    await handled.runOnce('cmd-5', async () => store.append('once-5', 0, [event(1)], meta('cmd-5')).then(() => 'first'));
    await handled.prune(0);
    expect(await recorded('cmd-5')).toEqual([]);
    await expect(
      handled.runOnce('cmd-5', async () => store.append('once-5b', 0, [event(1)], meta('cmd-5')).then(() => 'second')),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.readStream('once-5b')).toEqual([]);
  });

  it('a command that appends nothing records its outcome too; an append without a command is as before', async () => {
    let runs = 0;
    const command = () =>
      handled.runOnce('cmd-6', async () => {
        runs++;
        throw new DomainError('not-found', 'Repository not found');
      });
    await expect(command()).rejects.toMatchObject({ code: 'not-found' });
    await expect(command()).rejects.toMatchObject({ code: 'not-found' });
    expect(runs).toBe(1);
    await store.append('plain-1', 0, [event(1)], meta());
    expect(await store.streamVersion('plain-1')).toBe(1);
  });

  it('commands running side by side each hold their own appends; an append naming no running command is its own', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // cmd-7a appends, then waits while cmd-7b appends, then fails: only 7a's events go.
    const a = handled.runOnce('cmd-7a', async () => {
      await store.append('side-a', 0, [event(1)], meta('cmd-7a'));
      await gate;
      throw new Error('7a crashed');
    });
    const b = handled.runOnce('cmd-7b', async () => {
      await store.append('side-b', 0, [event(2)], meta('cmd-7b'));
      // Inside 7b's execution, an append for another (unknown) command id joins nothing.
      await store.append('side-c', 0, [event(3)], meta('cmd-7-elsewhere'));
      release();
      return 'b';
    });
    await expect(a).rejects.toThrow('7a crashed');
    expect(await b).toBe('b');
    expect(await store.readStream('side-a')).toEqual([]);
    expect((await store.readStream('side-b')).map((e) => e.eventId)).toEqual([eventIdFor('cmd-7b', 0)]);
    expect((await store.readStream('side-c')).map((e) => e.eventId)).not.toEqual([eventIdFor('cmd-7-elsewhere', 0)]);
    expect(await recorded('cmd-7a')).toEqual([]);
    expect(await recorded('cmd-7b')).toEqual([{ ok: true, result: 'b' }]);
  });

  it('the same command id running in another service’s schema is not joined: each service holds its own transaction', async () => {
    const otherStore = new EventStore(pool, 'svc_other');
    // Inside svc's cmd-10, an append to svc_other carrying that id (an event's metadata copied along,
    // say) is svc_other's own: svc's failure does not take it back, and its event id is not derived.
    await expect(
      handled.runOnce('cmd-10', async () => {
        await store.append('mine-10', 0, [event(1)], meta('cmd-10'));
        await otherStore.append('theirs-10', 0, [event(2)], meta('cmd-10'));
        throw new Error('svc crashed');
      }),
    ).rejects.toThrow('svc crashed');
    expect(await store.readStream('mine-10')).toEqual([]);
    const theirs = await otherStore.readStream('theirs-10');
    expect(theirs.map((e) => e.data)).toEqual([{ n: 2 }]);
    expect(theirs[0].eventId).not.toBe(eventIdFor('cmd-10', 1));
  });

  it('a delivery waiting behind one that crashed executes the command itself', async () => {
    let runs = 0;
    const first = handled.runOnce('cmd-8', async () => {
      runs++;
      await store.append('crash-8', 0, [event(1)], meta('cmd-8'));
      throw new Error('lost the connection');
    });
    const second = handled.runOnce('cmd-8', async () => {
      runs++;
      return (await store.append('crash-8', 0, [event(2)], meta('cmd-8'))).streamVersion;
    });
    await expect(first).rejects.toThrow('lost the connection');
    expect(await second).toBe(1);
    expect(runs).toBe(2);
    expect((await store.readStream('crash-8')).map((e) => e.data)).toEqual([{ n: 2 }]);
  });

  it('executing commands turns no promise hooks on: no AsyncLocalStorage scope carries them', async () => {
    expect(await handled.runOnce('cmd-9', async () => (await store.append('hooks-9', 0, [event(1)], meta('cmd-9'))).streamVersion)).toBe(1);
    expect(await promiseHooksAreOn()).toBe(false);
  });

  it('a command id and a reply with quotes, backslashes and SQL in them are stored as they are (they travel as literals)', async () => {
    const id = `k'); DELETE FROM svc.handled_commands; --\\' "x"`;
    const reply = { note: `it's a \\ "quoted" '); DROP TABLE svc.events; --` };
    const first = await handled.runOnce(id, async () => {
      await store.append('literal-1', 0, [event(1)], meta(id));
      return reply;
    });
    expect(first).toEqual(reply);
    expect(await recorded(id)).toEqual([{ ok: true, result: reply }]);
    expect(await handled.runOnce(id, async () => 'ran again')).toEqual(reply);
    // Nothing else was touched: the earlier commands' records and the events are all still there.
    expect(await recorded('cmd-6')).toHaveLength(1);
    expect(await store.streamVersion('literal-1')).toBe(1);
  });
});
