import { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { basicAuth, imageIds, startScript, waitFor } from './hub-processes';
import { percentile, round } from './stats';

const GATEWAY = 'http://127.0.0.1:5621';
const SEQUENCES = 120;
const CONCURRENCY = 4;

/** Sums of a histogram family in the Prometheus text, by a label filter. */
async function histogramSum(name: string, filter = ''): Promise<number> {
  // /metrics is for admins only; bench_admin is the hub's bootstrap admin below.
  const answer = await fetch(`${GATEWAY}/metrics`, { headers: { Authorization: basicAuth('bench_admin', 'secret1') } });
  if (answer.status !== 200) throw new Error(`metrics answered ${answer.status}`);
  const text = await answer.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}_sum`) && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/**
 * The docker push's index sequence in distributed mode (every app its own process, Kafka between):
 * create with token → PUT images [] → PUT auth with the token. Reports sequences/s, latency, and how
 * much of the time went to Kafka round trips and to read-your-writes waits (from the gateway's
 * metrics).
 */
export async function benchPushSequence(databaseUrl: string, brokers: string[]): Promise<Record<string, number>> {
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: `benchpush${Date.now()}`,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(__dirname, '../../.test-runs/bench-push'),
    DOCKYARD_PG_POOL_SIZE: '6',
    DOCKYARD_ADMIN_USERNAME: 'bench_admin',
    DOCKYARD_ADMIN_PASSWORD: 'secret1',
    HEALTH_PORT: '0', // each process its own (any free) health port: they share this machine
    HEALTH_HOST: '127.0.0.1',
  };
  const processes: ChildProcess[] = ['projector', 'accounts', 'repositories', 'images', 'tokens'].map((app) =>
    startScript(`dist/apps/${app}/src/main.js`, env),
  );
  processes.push(startScript('dist/apps/gateway/src/main.js', { ...env, PORT: '5621', HOST: '127.0.0.1' }));
  try {
    await waitFor(`${GATEWAY}/v1/_ping`);
    for (const username of ['pusher']) {
      for (let i = 0; ; i++) {
        const answer = await fetch(`${GATEWAY}/v1/users/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password: 'secret1', email: `${username}@example.com` }),
        });
        if (answer.status === 201 || answer.status === 400) break;
        if (i > 100) throw new Error(`register answered ${answer.status}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const auth = basicAuth('pusher', 'secret1');
    const sequence = async (n: number) => {
      const repo = `pusher/repo-${n}`;
      const created = await fetch(`${GATEWAY}/v1/repositories/${repo}/`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: JSON.stringify(imageIds(repo, 3).map((id, i) => (i === 2 ? { id, Tag: 'latest' } : { id }))),
      });
      const token = created.headers.get('x-docker-token');
      const images = await fetch(`${GATEWAY}/v1/repositories/${repo}/images`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: '[]',
      });
      const check = await fetch(`${GATEWAY}/v1/repositories/${repo}/auth`, { method: 'PUT', headers: { Authorization: `Token ${token}` } });
      if (created.status !== 200 || images.status !== 204 || check.status !== 200) {
        throw new Error(`sequence ${n}: ${created.status} ${images.status} ${check.status}`);
      }
    };
    for (let n = 0; n < 8; n++) await sequence(-1 - n); // warm-up: group joins, caches

    const commandsBefore = await histogramSum('dockyard_command_seconds');
    const waitsBefore = await histogramSum('dockyard_read_your_writes_wait_seconds');
    const latencies: number[] = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SEQUENCES) {
          const n = next++;
          const t0 = process.hrtime.bigint();
          await sequence(n);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const commands = (await histogramSum('dockyard_command_seconds')) - commandsBefore;
    const waits = (await histogramSum('dockyard_read_your_writes_wait_seconds')) - waitsBefore;
    const total = latencies.reduce((a, b) => a + b, 0) / 1000;
    return {
      sequencesPerSecond: round(SEQUENCES / seconds, 1),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      commandRoundTripShare: round(commands / total, 2),
      readYourWritesShare: round(waits / total, 2),
    };
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
  }
}
