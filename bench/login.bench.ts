import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { benchPort, startScript as start, waitFor } from './hub-processes';
import { median, round } from './stats';

const ROOT = resolve(__dirname, '../..');

async function load(url: string, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number }> {
  const result = await autocannon({ url, connections: 50, duration: 8, headers });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** `GET /v1/users/` with a warm credential cache through the standalone gateway, against bare Fastify. */
export async function benchLogin(databaseUrl: string): Promise<Record<string, number>> {
  const hub = start('dist/apps/standalone/src/main.js', {
    PORT: String(benchPort(1)),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(ROOT, '.test-runs/bench-hub'),
  });
  const bare = start('dist/bench/bare-users-server.js', { PORT: String(benchPort(2)), DATABASE_URL: databaseUrl });
  try {
    await waitFor(`http://127.0.0.1:${benchPort(1)}/v1/_ping`);
    await waitFor(`http://127.0.0.1:${benchPort(2)}/v1/users/`);
    await fetch(`http://127.0.0.1:${benchPort(1)}/v1/users/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bench_user', password: 'secret1', email: 'bench@example.com' }),
    });
    const headers = { Authorization: `Basic ${Buffer.from('bench_user:secret1').toString('base64')}` };
    const warm = await fetch(`http://127.0.0.1:${benchPort(1)}/v1/users/`, { headers });
    if (warm.status !== 200) throw new Error(`login answered ${warm.status}`);
    const gateway: number[] = [];
    const baseline: number[] = [];
    let last = { gateway: { rps: 0, p50: 0, p99: 0 }, bare: { rps: 0, p50: 0, p99: 0 } };
    for (let run = 0; run < 3; run++) {
      last = {
        gateway: await load(`http://127.0.0.1:${benchPort(1)}/v1/users/`, headers),
        bare: await load(`http://127.0.0.1:${benchPort(2)}/v1/users/`, headers),
      };
      gateway.push(last.gateway.rps);
      baseline.push(last.bare.rps);
    }
    return {
      gatewayRequestsPerSecond: round(median(gateway), 0),
      bareFastifyRequestsPerSecond: round(median(baseline), 0),
      ratio: round(median(gateway) / median(baseline), 2),
      gatewayP50Ms: last.gateway.p50,
      gatewayP99Ms: last.gateway.p99,
    };
  } finally {
    hub.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}
