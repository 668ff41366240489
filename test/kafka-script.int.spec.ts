import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePortRange } from '../libs/testing/src';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..');

/**
 * `scripts/kafka.sh start` by two launchers in the same instant, each for its own owner: before the
 * start lock, both found no broker, both started one (the second failed to bind and took the
 * first's answer on the port for its own), both exited 0 as its owner, and a broker was left
 * running after `stop`. Now one starts it and the other is refused (exit 3).
 */
describe('scripts/kafka.sh: two starts at once on one port', () => {
  let port: number;
  const owners: ChildProcess[] = [];
  const env = () => ({ ...process.env, KAFKA_PORT: String(port) });
  const brokersOnPort = () =>
    execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(`run-${port}/server.properties`) && line.includes('kafka.Kafka'));

  beforeAll(async () => {
    // The broker takes KAFKA_PORT and the next one (its controller).
    port = await freePortRange(2);
  });
  afterAll(async () => {
    for (const owner of owners) owner.kill('SIGKILL');
    await run('bash', ['scripts/kafka.sh', 'wipe'], { cwd: ROOT, env: env() });
    // A broker the script lost track of (what the race did) must not outlive the test.
    for (const line of brokersOnPort()) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
  }, 60_000);

  it('starts one broker for one owner and refuses the other', async () => {
    // Two live owners, as two `npm run start:distributed` would be.
    for (let i = 0; i < 2; i++) owners.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
    const start = (owner: ChildProcess) =>
      run('bash', ['scripts/kafka.sh', 'start'], {
        cwd: ROOT,
        env: { ...env(), KAFKA_OWNER_PID: String(owner.pid) },
      }).then(
        ({ stdout }) => ({ code: 0, said: stdout }),
        (error: { code: number; stderr: string }) => ({ code: error.code, said: error.stderr }),
      );
    const outcomes = await Promise.all(owners.map(start));

    expect(outcomes.map((o) => o.code).sort()).toEqual([0, 3]);
    expect(outcomes.find((o) => o.code === 3)!.said).toMatch(/is in use by a running process/);
    expect(brokersOnPort()).toHaveLength(1);

    await run('bash', ['scripts/kafka.sh', 'stop'], { cwd: ROOT, env: env() });
    expect(brokersOnPort()).toEqual([]);
  });
});
