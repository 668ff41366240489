import autocannon from 'autocannon';
import { resolve } from 'node:path';
import { benchPort, startScript, waitFor } from './hub-processes';
import { Client } from 'pg';
import { median, percentile, round } from './stats';

const HUB = `http://127.0.0.1:${benchPort(21)}`;
const BARE = `http://127.0.0.1:${benchPort(22)}`;
/**
 * Two terms: a selective one (six characters of repository 1234's name: a handful of matches at any
 * size) and a common one (three characters: about 1 in 400 repositories matches, so ~25 at 10k and
 * ~2,500 at 1M, all counted and ranked for the first page).
 */
const SELECTIVE = '81dc9b';
const COMMON = 'a1b';
const path = (term: string) => `/v1/search?q=${term}`;

/**
 * Fills read.repositories up to `total` rows the way the projector writes them, with names as
 * varied as a real catalog's (hex words, `ns_<n>/<word>-<word>`) and a description on one row in
 * ten: trigram selectivity then resembles real names. (Names that all share a word, such as
 * `repo-<n>`, make that word's trigrams match every row; see docs/benchmarks.md.)
 */
async function growCatalog(databaseUrl: string, total: number): Promise<void> {
  const db = new Client(databaseUrl);
  await db.connect();
  const { rows } = await db.query('SELECT count(*)::int AS n FROM read.repositories');
  for (let start = rows[0].n; start < total; start += 100_000) {
    await db.query(
      `INSERT INTO read.repositories (repository_id, namespace, name, kind, created_by, description, full_description,
         is_public, logo, created_at, updated_at)
       SELECT gen_random_uuid(), 'ns_' || (g % 50000), substr(md5(g::text), 1, 6) || '-' || substr(md5((g * 7)::text), 1, 5), 'user', 'bench',
              CASE WHEN g % 10 = 0 THEN 'tool ' || substr(md5((g * 3)::text), 1, 8) ELSE '' END, '', true, 'default-icon.jpg', now(), now()
       FROM generate_series($1::int, $2::int) g`,
      [start, Math.min(total, start + 100_000) - 1],
    );
  }
  // As autovacuum would on a hub that grew over time: the GIN indexes' pending entries are merged.
  await db.query('VACUUM ANALYZE read.repositories');
  await db.end();
}

async function load(url: string): Promise<number> {
  const result = await autocannon({ url, connections: 20, duration: 8 });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result.requests.average;
}

/** One request at a time: the latency of a search, free of queueing. */
async function sequentialLatency(url: string, count = 500): Promise<{ p50: number; p99: number; results: number }> {
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
    PORT: String(benchPort(21)),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(__dirname, '../../.test-runs/bench-search'),
  });
  const bare = startScript('dist/bench/bare-search-server.js', { PORT: String(benchPort(22)), DATABASE_URL: databaseUrl });
  try {
    // The hub migrates the read model (trigram indexes included) before it answers.
    await waitFor(`${HUB}/v1/_ping`);
    await waitFor(`${BARE}${path(SELECTIVE)}`);
    await growCatalog(databaseUrl, 10_000);
    const at10k = await sequentialLatency(`${HUB}${path(SELECTIVE)}`);
    const common10k = await sequentialLatency(`${HUB}${path(COMMON)}`);
    await growCatalog(databaseUrl, 1_000_000);
    const at1m = await sequentialLatency(`${HUB}${path(SELECTIVE)}`);
    const common1m = await sequentialLatency(`${HUB}${path(COMMON)}`);
    const gateway: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < 3; run++) {
      gateway.push(await load(`${HUB}${path(SELECTIVE)}`));
      baseline.push(await load(`${BARE}${path(SELECTIVE)}`));
    }
    return {
      at10kP50Ms: at10k.p50,
      at10kP99Ms: at10k.p99,
      at10kResults: at10k.results,
      at1mP50Ms: at1m.p50,
      at1mP99Ms: at1m.p99,
      at1mResults: at1m.results,
      common10kP50Ms: common10k.p50,
      common10kP99Ms: common10k.p99,
      common10kResults: common10k.results,
      common1mP50Ms: common1m.p50,
      common1mP99Ms: common1m.p99,
      common1mResults: common1m.results,
      gatewayRequestsPerSecond: round(median(gateway), 0),
      bareFastifyRequestsPerSecond: round(median(baseline), 0),
      ratio: round(median(gateway) / median(baseline), 2),
    };
  } finally {
    hub.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}
