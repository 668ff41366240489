import autocannon from 'autocannon';
import { Client } from 'pg';
import { resolve } from 'node:path';
import { basicAuth, benchPort, imageIds, startScript, waitFor } from './hub-processes';
import { median, percentile, round } from './stats';

const HUB = `http://127.0.0.1:${benchPort(11)}`;
const BARE = `http://127.0.0.1:${benchPort(12)}`;
const PATH = '/v1/repositories/bench_user/web/images';

async function load(url: string): Promise<{ rps: number; p50: number; p99: number }> {
  const result = await autocannon({ url, connections: 50, duration: 8 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** One request at a time: the latency of a read, free of queueing. */
async function sequentialLatency(url: string, count = 1500): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const response = await fetch(url);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

/** Fills read.repositories (with 3 images each) up to `total` rows, the way the projector writes them. */
async function growReadModel(databaseUrl: string, total: number): Promise<void> {
  const db = new Client(databaseUrl);
  await db.connect();
  const { rows } = await db.query('SELECT count(*)::int AS n FROM read.repositories');
  const from = rows[0].n;
  for (let start = from; start < total; start += 100_000) {
    const end = Math.min(total, start + 100_000) - 1;
    await db.query(
      `WITH filler AS (
         INSERT INTO read.repositories (repository_id, namespace, name, kind, created_by, description, full_description,
           is_public, logo, created_at, updated_at)
         SELECT gen_random_uuid(), 'ns_' || (g % 50000), 'repo-' || g, 'user', 'bench', '', '', true, 'default-icon.jpg', now(), now()
         FROM generate_series($1::int, $2::int) g
         RETURNING repository_id)
       INSERT INTO read.repository_images (repository_id, image_id, checksum, added_at)
       SELECT repository_id, md5(repository_id::text || n), '', n FROM filler, generate_series(1, 3) n`,
      [start, end],
    );
  }
  await db.query('ANALYZE read.repositories; ANALYZE read.repository_images');
  await db.end();
}

/**
 * The pull's first read through the gateway against bare Fastify with the same SQL, and the cost of
 * that read with 10k and with 1M repositories in the read model.
 */
export async function benchImagesRead(databaseUrl: string): Promise<Record<string, number>> {
  const hub = startScript('dist/apps/standalone/src/main.js', {
    PORT: String(benchPort(11)),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(__dirname, '../../.test-runs/bench-images'),
  });
  const bare = startScript('dist/bench/bare-images-server.js', { PORT: String(benchPort(12)), DATABASE_URL: databaseUrl });
  try {
    await waitFor(`${HUB}/v1/_ping`);
    await waitFor(`${BARE}${PATH}`);
    await fetch(`${HUB}/v1/users/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'bench_user', password: 'secret1', email: 'bench@example.com' }),
    });
    const created = await fetch(`${HUB}/v1/repositories/bench_user/web/`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: basicAuth('bench_user', 'secret1') },
      body: JSON.stringify(imageIds('web', 10).map((id) => ({ id }))),
    });
    if (created.status !== 200) throw new Error(`push answered ${created.status}`);

    const gateway: number[] = [];
    const baseline: number[] = [];
    let last = { rps: 0, p50: 0, p99: 0 };
    for (let run = 0; run < 3; run++) {
      last = await load(`${HUB}${PATH}`);
      gateway.push(last.rps);
      baseline.push((await load(`${BARE}${PATH}`)).rps);
    }
    const halfLoad = await autocannon({ url: `${HUB}${PATH}`, connections: 10, duration: 8, overallRate: Math.round(median(gateway) / 2) });

    await growReadModel(databaseUrl, 10_000);
    const at10k = await sequentialLatency(`${HUB}${PATH}`);
    await growReadModel(databaseUrl, 1_000_000);
    const at1m = await sequentialLatency(`${HUB}${PATH}`);
    return {
      gatewayRequestsPerSecond: round(median(gateway), 0),
      bareFastifyRequestsPerSecond: round(median(baseline), 0),
      ratio: round(median(gateway) / median(baseline), 2),
      gatewayP50Ms: last.p50,
      gatewayP99Ms: last.p99,
      halfLoadP99Ms: halfLoad.latency.p99,
      halfLoadRequestsPerSecond: round(halfLoad.requests.average, 0),
      at10kP50Ms: at10k.p50,
      at10kP99Ms: at10k.p99,
      at1mP50Ms: at1m.p50,
      at1mP99Ms: at1m.p99,
    };
  } finally {
    hub.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}
