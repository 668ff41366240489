import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH_ADMIN_ENV, basicAuth, gatewayMetrics, imageIds, waitFor } from './hub-processes';
import { percentile, round } from './stats';

const REGISTRATIONS = 200;
const SEQUENCES = 60;

/**
 * The standalone hub's write path: registrations (8 at a time) and the docker push's index
 * sequence (4 at a time), each answered only after read-your-writes, so it includes the time the
 * events take from the store through the relay to the read model (the projection lag a client
 * sees: `dockyard_read_your_writes_wait_seconds`). Runs the standalone hub built under `root`, so
 * two builds can be measured side by side: `node dist/bench/standalone-writes.bench.js <root> <port>`.
 */
export async function benchStandaloneWrites(root: string, port: number): Promise<Record<string, number>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-writes-'));
  chmodSync(dataDir, 0o755);
  const hub = spawn(process.execPath, [resolve(root, 'dist/apps/standalone/src/main.js')], {
    env: {
      ...process.env,
      LOG_LEVEL: 'error',
      PORT: String(port),
      HOST: '127.0.0.1',
      DOCKYARD_DATA: dataDir,
      DOCKYARD_PG_PORT: String(port + 1),
      DATABASE_URL: '',
      DOCKYARD_REQUIRE_CONFIRMATION: 'false',
      ...BENCH_ADMIN_ENV,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/v1/_ping`, 120000);
    const register = async (n: number) => {
      const answer = await fetch(`${url}/v1/users/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: `writer_${n}`, password: 'secret1', email: `writer${n}@example.com` }),
      });
      if (answer.status !== 201) throw new Error(`register ${n}: ${answer.status}`);
    };
    const timed = async (count: number, concurrency: number, run: (n: number) => Promise<void>) => {
      const latencies: number[] = [];
      let next = 0;
      const started = process.hrtime.bigint();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const n = next++;
            const t0 = process.hrtime.bigint();
            await run(n);
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          }
        }),
      );
      return { perSecond: count / (Number(process.hrtime.bigint() - started) / 1e9), latencies };
    };
    for (let n = 0; n < 10; n++) await register(10000 + n); // warm-up
    const registrations = await timed(REGISTRATIONS, 8, register);

    const auth = basicAuth('writer_0', 'secret1');
    const sequence = async (n: number) => {
      const repo = `writer_0/repo-${n}`;
      const created = await fetch(`${url}/v1/repositories/${repo}/`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: JSON.stringify(imageIds(repo, 3).map((id, i) => (i === 2 ? { id, Tag: 'latest' } : { id }))),
      });
      const token = created.headers.get('x-docker-token');
      const images = await fetch(`${url}/v1/repositories/${repo}/images`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: '[]',
      });
      const check = await fetch(`${url}/v1/repositories/${repo}/auth`, { method: 'PUT', headers: { Authorization: `Token ${token}` } });
      if (created.status !== 200 || images.status !== 204 || check.status !== 200) {
        throw new Error(`sequence ${n}: ${created.status} ${images.status} ${check.status}`);
      }
    };
    for (let n = 0; n < 5; n++) await sequence(-1 - n);
    const pushes = await timed(SEQUENCES, 4, sequence);

    const metrics = await gatewayMetrics(url);
    const family = (suffix: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(`dockyard_read_your_writes_wait_seconds_${suffix}`))
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    // p99 from the histogram: the smallest bucket bound holding 99 % of the waits (all label sets).
    const buckets = new Map<number, number>();
    for (const line of metrics.split('\n')) {
      const bucket = /^dockyard_read_your_writes_wait_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
      if (bucket && bucket[1] !== '+Inf') buckets.set(Number(bucket[1]), (buckets.get(Number(bucket[1])) ?? 0) + Number(bucket[2]));
    }
    const total = family('count');
    const p99Bound = [...buckets.entries()].sort(([a], [b]) => a - b).find(([, count]) => count >= 0.99 * total)?.[0];
    return {
      registrationsPerSecond: round(registrations.perSecond, 1),
      registrationP50Ms: round(percentile(registrations.latencies, 50), 1),
      registrationP99Ms: round(percentile(registrations.latencies, 99), 1),
      pushSequencesPerSecond: round(pushes.perSecond, 1),
      pushP50Ms: round(percentile(pushes.latencies, 50), 1),
      pushP99Ms: round(percentile(pushes.latencies, 99), 1),
      readYourWritesMeanMs: round((family('sum') / Math.max(1, total)) * 1000, 2),
      readYourWritesP99AtMostMs: p99Bound === undefined ? NaN : round(p99Bound * 1000, 1),
    };
  } finally {
    hub.kill('SIGTERM');
    await new Promise((r) => hub.once('exit', r));
  }
}

if (require.main === module) {
  benchStandaloneWrites(resolve(process.argv[2] ?? resolve(__dirname, '../..')), Number(process.argv[3] ?? 5731)).then(
    (result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
