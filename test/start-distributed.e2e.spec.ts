import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort, freePortRange, waitUntil } from '../libs/testing/src';
import { basic, http } from './support/http';
import { newDataDir } from './support/hubs';

/**
 * `npm run start:distributed` with nothing else running (no DATABASE_URL, no KAFKA_BROKERS): it
 * starts its own PostgreSQL and broker and the six apps, restarts an app killed under it, and leaves
 * nothing running once stopped. Runs the built launcher (`npm run start:distributed` builds first,
 * which would swap dist/ under the other suites).
 */
const ROOT = resolve(__dirname, '..');
const APPS = ['projector', 'accounts', 'repositories', 'images', 'tokens', 'gateway'];
const START_TIMEOUT_MS = 240_000;

interface Running {
  pid: number;
  ppid: number;
  args: string;
}

const processes = (): Running[] =>
  execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args }));

const appOf = (p: Running) => APPS.find((app) => p.args.includes(`dist/apps/${app}/src/main.js`));

describe('npm run start:distributed (a local cluster from nothing)', () => {
  const dataDir = newDataDir();
  let launcher: ChildProcess;
  let output = '';
  /** What the launcher and its apps printed after the stop signal (kept whole, not as a tail). */
  let afterStop: string | undefined;
  let url: string;
  let kafkaPort: number;
  let launcherEnv: NodeJS.ProcessEnv;
  let exited: Promise<number | null>;
  /** What the launcher started: its apps, PostgreSQL (in dataDir) and the broker (run-<port>). */
  const ours = (p: Running) =>
    p.ppid === launcher.pid ||
    p.args.includes(dataDir) ||
    p.args.includes(`run-${kafkaPort}/server.properties`);
  const appPids = () =>
    new Map(processes().flatMap((p) => (p.ppid === launcher.pid && appOf(p) ? [[appOf(p)!, p.pid]] : [])));

  beforeAll(async () => {
    const port = await freePort();
    kafkaPort = await freePortRange(2);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DOCKYARD_DATA: dataDir,
      DOCKYARD_PG_PORT: String(await freePort()),
      KAFKA_PORT: String(kafkaPort),
      HEALTH_PORT_BASE: String(await freePortRange(APPS.length)),
      DOCKYARD_REQUIRE_CONFIRMATION: 'false',
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    delete env.KAFKA_BROKERS;
    launcherEnv = env;
    launcher = spawn(process.execPath, [resolve(ROOT, 'dist/apps/standalone/src/distributed.main.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A process group of its own, as a shell makes a foreground job: the last case sends it Ctrl-C.
      detached: true,
    });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-30000);
      if (afterStop !== undefined) afterStop += chunk.toString();
    };
    launcher.stdout!.on('data', keep);
    launcher.stderr!.on('data', keep);
    exited = new Promise((done) => launcher.once('exit', (code) => done(code)));
    url = `http://127.0.0.1:${port}`;
    await waitUntil(
      async () => {
        if (launcher.exitCode !== null)
          throw new Error(`the launcher exited (${launcher.exitCode}):\n${output}`);
        return (await fetch(`${url}/v1/_ping`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, what: 'the gateway of start:distributed' },
    ).catch((error: Error) => {
      // What the launcher and its apps said by then (the message is made when the wait gives up).
      throw new Error(`${error.message}:\n${output}`);
    });
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    // A failed case must not leave a cluster behind on the machine.
    if (launcher?.exitCode === null) {
      launcher.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000))]);
    }
    for (const p of processes().filter(ours)) process.kill(p.pid, 'SIGKILL');
    execFileSync('bash', ['scripts/kafka.sh', 'wipe'], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_PORT: String(kafkaPort) },
    });
  }, 90_000);

  /** With an Idempotency-Key, as a client retrying safely does: a retry gets the first attempt's outcome. */
  const register = async (username: string) => {
    const created = await http(url, 'POST', '/v1/users/', {
      body: { username, password: 'secret1', email: `${username}@example.com` },
      headers: { 'Idempotency-Key': `register-${username}` },
    });
    return created.status;
  };
  const login = async (username: string) =>
    (await http(url, 'GET', '/v1/users/', { headers: { Authorization: basic(username, 'secret1') } })).status;

  it('runs every app as its own process, on its own PostgreSQL and broker', async () => {
    expect([...appPids().keys()].sort()).toEqual([...APPS].sort());
    const running = processes();
    expect(running.some((p) => p.args.includes(`${dataDir}/pg-distributed`))).toBe(true);
    expect(running.some((p) => p.args.includes(`run-${kafkaPort}/server.properties`))).toBe(true);
  });

  it('registers a user who then logs in', async () => {
    expect(await register('alice_01')).toBe(201);
    expect(await login('alice_01')).toBe(200);
  });

  it('starts an app killed with SIGKILL again, and serves through it', async () => {
    const before = appPids().get('accounts')!;
    process.kill(before, 'SIGKILL');
    const after = await waitUntil(
      () => {
        const pid = appPids().get('accounts');
        return pid !== undefined && pid !== before && pid;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'accounts started again' },
    );
    expect(after).not.toBe(before);
    // Registering needs the accounts service itself (a login could be answered from the gateway's cache).
    const answers: number[] = [];
    await waitUntil(
      async () => {
        answers.push(await register('bob_0001'));
        return answers[answers.length - 1] === 201;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'a registration after the restart' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the hub answered ${answers.join(', ')}`);
    });
    expect(await login('bob_0001')).toBe(200);
    expect(output).toMatch(/"app":"accounts".*"signal":"SIGKILL".*app exited; restarting it/);
  });

  it('refuses a second launcher on the same data folder and broker port, which leaves the first one serving', async () => {
    // Before, the second took the first one's PostgreSQL for an orphan and stopped it, and took its
    // broker for its own and stopped that too on its way out.
    const second = spawn(process.execPath, [resolve(ROOT, 'dist/apps/standalone/src/distributed.main.js')], {
      cwd: ROOT,
      env: { ...launcherEnv, PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    second.stdout!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    second.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const code = await new Promise((done) => second.once('exit', done));
    expect(code).toBe(1);
    expect(said).toMatch(/is in use by a running process \(pid \d+\)/);
    expect(processes().some((p) => p.args.includes(`run-${kafkaPort}/server.properties`))).toBe(true);
    expect(await register('carl_001')).toBe(201);
    expect(await login('carl_001')).toBe(200);
  });

  it('stops the apps, the broker and PostgreSQL on Ctrl-C, without an error, leaving nothing running', async () => {
    const started = processes().filter(ours);
    expect(started.length).toBeGreaterThanOrEqual(APPS.length + 2);
    // A terminal's Ctrl-C: SIGINT to the whole group, so every app gets it as well as the launcher
    // (whose SIGTERM handler is the same stop), and then the launcher's SIGTERM. PostgreSQL and the
    // broker run in sessions of their own and stop when the launcher stops them, last. An app used
    // to run its shutdown twice and fail on "Called end on pool more than once".
    afterStop = '';
    process.kill(-launcher.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    const errors = afterStop.split('\n').filter((line) => /"level":(50|60)\b|unhandled promise rejection/.test(line));
    expect(errors).toEqual([]);
    const pids = new Set(started.map((p) => p.pid));
    const left = processes().filter((p) => pids.has(p.pid) || ours(p));
    expect(left).toEqual([]);
  });
});
