import autocannon from 'autocannon';
import { resolve } from 'node:path';
import { startScript, waitFor } from './hub-processes';
import { growReadModel } from './images-read.bench';
import { median, percentile, round } from './stats';

const HUB = 'http://127.0.0.1:5621';
const BARE = 'http://127.0.0.1:5622';
/** A term as selective as a real one: 1 name at 10k repositories, 111 at 1M (`repo-1234*`). */
const PATH = '/v1/search?q=repo-1234';

async function load(url: string): Promise<number> {
  const result = await autocannon({ url, connections: 20, duration: 8 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** One request at a time: the latency of a search, free of queueing. */
async function sequentialLatency(url: string, count = 1000): Promise<{ p50: number; p99: number; results: number }> {
  const samples: number[] = [];
  let results = 0;
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    const response = await fetch(url);
    const body = (await response.json()) as { num_results: number };
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    results = body.num_results;
  }
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2), results };
}

/**
 * `GET /v1/search?q=` with 10k and with 1M repositories in the read model (one request at a time),
 * and requests/s at 1M against bare Fastify running the same query.
 */
export async function benchSearch(databaseUrl: string): Promise<Record<string, number>> {
  const hub = startScript('dist/apps/standalone/src/main.js', {
    PORT: '5621',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(__dirname, '../../.test-runs/bench-search'),
  });
  const bare = startScript('dist/bench/bare-search-server.js', { PORT: '5622', DATABASE_URL: databaseUrl });
  try {
    // The hub migrates the read model (trigram indexes included) before it answers.
    await waitFor(`${HUB}/v1/_ping`);
    await waitFor(`${BARE}${PATH}`);
    await growReadModel(databaseUrl, 10_000, 0);
    const at10k = await sequentialLatency(`${HUB}${PATH}`);
    await growReadModel(databaseUrl, 1_000_000, 0);
    const at1m = await sequentialLatency(`${HUB}${PATH}`);
    const gateway: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < 3; run++) {
      gateway.push(await load(`${HUB}${PATH}`));
      baseline.push(await load(`${BARE}${PATH}`));
    }
    return {
      at10kP50Ms: at10k.p50,
      at10kP99Ms: at10k.p99,
      at10kResults: at10k.results,
      at1mP50Ms: at1m.p50,
      at1mP99Ms: at1m.p99,
      at1mResults: at1m.results,
      gatewayRequestsPerSecond: round(median(gateway), 0),
      bareFastifyRequestsPerSecond: round(median(baseline), 0),
      ratio: round(median(gateway) / median(baseline), 2),
    };
  } finally {
    hub.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}
