import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { startStandaloneHub, TestHub } from './support/hubs';
import { basic, http } from './support/http';
import { tokensDatabaseUrl } from './tokens-security.e2e-cases';

type StandaloneHub = TestHub & { pgPort: number };

/**
 * Issue 14 point 1: in standalone, an event the hub acknowledged reaches every consumer even when
 * the process dies before the consumer got to it. A consumer is held back with a lock on the table
 * it writes, taken from the test through its own connection (no test hook in the hub): it blocks
 * the consumer's writes, not reads. The gateway's read-your-writes wait gives up after 300 ms, so
 * the requests are answered while the consumer is still held: 503 "stored but not visible yet"
 * when the held consumer is the read model the answer waits for — the change is acknowledged as
 * stored, so it must survive like any 2xx.
 */
describe('standalone hub: acknowledged events survive a crash or a stop', () => {
  const heldReadModel = { DOCKYARD_READ_YOUR_WRITES_TIMEOUT_MS: '300' };
  const start = (from?: StandaloneHub, env: Record<string, string> = heldReadModel) =>
    startStandaloneHub({ requireConfirmation: false, env, ...(from ? { dataDir: from.dataDir, pgPort: from.pgPort } : {}) });
  /** What a write answers while the read model it waits for is held: stored, not visible yet. */
  const STORED = 'stored: 503 the change is stored but not visible yet; retry shortly';
  let hub: StandaloneHub | undefined;
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  /** An open transaction holding `table` in EXCLUSIVE mode: the consumer writing it waits. */
  const holdTable = async (from: StandaloneHub, table: string) => {
    const client = new Client(tokensDatabaseUrl(from));
    // Stopping the hub stops its PostgreSQL, which ends this session too.
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
    return {
      release: async () => {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
  };

  const query = async (from: StandaloneHub, sql: string, params: unknown[] = []) => {
    const client = new Client(tokensDatabaseUrl(from));
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };

  /** Polls `check` (a restarted hub catches up in the background) until it holds or attempts run out. */
  const eventually = async <T>(probe: () => Promise<T>, holds: (value: T) => boolean): Promise<T> => {
    let value = await probe();
    for (let i = 0; i < 300 && !holds(value); i++) {
      await new Promise((r) => setTimeout(r, 100));
      value = await probe();
    }
    return value;
  };

  const usernames = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);
  /** 201, or STORED while the users read model is held. */
  const register = async (url: string, username: string) => {
    const answer = await http(url, 'POST', '/v1/users/', { body: { username, password: 'secret1', email: `${username}@example.com` } });
    return answer.status === 503 ? `stored: 503 ${(answer.json() as { error: string }).error}` : answer.status;
  };
  const projectedUsers = (from: StandaloneHub, names: string[]) => async () =>
    (await query(from, 'SELECT username FROM read.users WHERE username = ANY($1) ORDER BY username', [names])).map(
      (row) => row.username as string,
    );
  const loginStatuses = async (url: string, names: string[]) =>
    Promise.all(names.map(async (name) => (await http(url, 'GET', '/v1/users/', { headers: { Authorization: basic(name, 'secret1') } })).status));

  it('kill -9 with the projector held: all 20 registrations acknowledged as stored reach the read model after a restart', async () => {
    hub = await start();
    const names = usernames('crash_', 20);
    const held = await holdTable(hub, 'read.users');
    let statuses: (number | string)[];
    try {
      statuses = await Promise.all(names.map((name) => register(hub!.urls[0], name)));
      // Still held: none of them is in the read model yet.
      expect(await projectedUsers(hub, names)()).toEqual([]);
      await hub.processes[0].kill();
    } finally {
      await held.release();
    }
    expect(statuses).toEqual(names.map(() => STORED));

    hub = await start(hub);
    expect(await eventually(projectedUsers(hub, names), (found) => found.length === names.length)).toEqual(names);
    expect(await loginStatuses(hub.urls[0], names)).toEqual(names.map(() => 200));
  });

  it('kill -9 with the tokens consumer held: a repository deletion and a password change still revoke the old tokens after a restart', async () => {
    hub = await start(undefined, {}); // the answers wait for read models that are not held: the default wait
    const url = hub.urls[0];
    const owner = { Authorization: basic('del_0001', 'secret1') };
    expect(await register(url, 'del_0001')).toBe(201);
    for (const name of ['web', 'api']) {
      const created = await http(url, 'PUT', `/v1/repositories/del_0001/${name}/`, {
        raw: '[]',
        headers: { ...owner, 'Content-Type': 'application/json', 'X-Docker-Token': 'true' },
      });
      expect(created.status).toBe(200);
    }
    /** The read token a pull gets; given with the owner's credentials, it carries their credentials version. */
    const readToken = async (name: string) => {
      const answer = await http(url, 'GET', `/v1/repositories/del_0001/${name}/images`, { headers: { ...owner, 'X-Docker-Token': 'true' } });
      expect(answer.status).toBe(200);
      return { Authorization: `Token ${answer.headers.get('x-docker-token')}` };
    };
    const webToken = await readToken('web');
    const apiToken = await readToken('api');
    const auth = (from: StandaloneHub, name: string, token: Record<string, string>) =>
      http(from.urls[0], 'PUT', `/v1/repositories/del_0001/${name}/auth`, { headers: token });
    expect((await auth(hub, 'web', webToken)).status).toBe(200);
    expect((await auth(hub, 'api', apiToken)).status).toBe(200);
    const [{ repository_id: webId }] = await query(hub, `SELECT repository_id FROM read.repositories WHERE namespace = 'del_0001' AND name = 'web'`);
    const revoked = (from: StandaloneHub) => async () =>
      (await query(from, 'SELECT 1 FROM tokens.deleted_repositories WHERE repository_id = $1', [webId])).length;

    const held = await holdTable(hub, 'tokens.deleted_repositories');
    try {
      expect((await http(url, 'DELETE', '/v1/repositories/del_0001/web/', { headers: owner })).status).toBe(200);
      // Behind the held deletion in the tokens consumer's order: the password change.
      expect((await http(url, 'PUT', '/v1/users/del_0001/', { body: { password: 'changed1' }, headers: owner })).status).toBe(204);
      expect(await revoked(hub)()).toBe(0);
      await hub.processes[0].kill();
    } finally {
      await held.release();
    }

    hub = await start(hub, {});
    // The deletion reached the tokens service's revocations (the gateway refuses a deleted
    // repository's token on its own too, so this is checked in the tokens schema).
    expect(await eventually(revoked(hub), (n) => n === 1)).toBe(1);
    // The password change did too: the token signed before it no longer opens the repository.
    const after = hub;
    expect((await eventually(() => auth(after, 'api', apiToken), (answer) => answer.status !== 200)).status).toBe(403);
  });

  it('a clean stop (SIGTERM) with the projector held loses nothing, and the hub exits by itself', async () => {
    hub = await start();
    const names = usernames('stop_', 10);
    const held = await holdTable(hub, 'read.users');
    const child = (hub.processes[0] as unknown as { child: ChildProcess }).child;
    try {
      expect(await Promise.all(names.map((name) => register(hub!.urls[0], name)))).toEqual(names.map(() => STORED));
      expect(await projectedUsers(hub, names)()).toEqual([]);
      await hub.stop();
    } finally {
      await held.release();
    }
    // Exited on its own (status 0), not killed by the harness after its grace period.
    expect({ code: child.exitCode, signal: child.signalCode }).toEqual({ code: 0, signal: null });

    hub = await start(hub);
    expect(await eventually(projectedUsers(hub, names), (found) => found.length === names.length)).toEqual(names);
    expect(await loginStatuses(hub.urls[0], names)).toEqual(names.map(() => 200));
  });
});
