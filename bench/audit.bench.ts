import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Pool } from 'pg';
import { runMigrations } from '@dockyard/eventstore';
import { CreateAuditReadModel1732400030300 } from '../apps/projector/src/audit/audit.migrations';
import { AuditReadModel } from '../apps/gateway/src/audit/audit.read-model';
import { exportStream } from '../apps/gateway/src/audit/audit-export';
import { AuditQuery } from '../apps/gateway/src/audit/audit-query';
import { percentile, round } from './stats';

const REPOSITORIES = 100_000;
/** The repository whose pages are timed: its entries are spread through the whole feed. */
const TARGET = 'bench_owner/target';
const TARGET_ENTRIES = 2_000;
const ALL: AuditQuery = { after: null, limit: 100, types: null, actor: null, from: null, until: null };

/**
 * Grows the audit read model to `total` entries with generate_series, as the projector writes them:
 * each entry listed under one of 100k repository names, and every (total / 2000)-th under the
 * timed repository. Hashes and feed hashes are filler (the reads never check them).
 */
async function grow(db: Client, from: number, total: number): Promise<void> {
  const every = Math.floor(total / TARGET_ENTRIES);
  // Entries of the target repository are re-pointed as the feed grows: keep exactly TARGET_ENTRIES of them.
  await db.query(`DELETE FROM read.audit_repository_entries WHERE repository = $1`, [TARGET]);
  for (let start = from + 1; start <= total; start += 200_000) {
    const end = Math.min(total, start + 199_999);
    await db.query(
      `INSERT INTO read.audit_entries (seq, time, type, actor, source_ip, user_agent, request_id, repository_id, service, stream,
         version, data, hash, prev_hash, username, image_ref, activity_id, feed_hash)
       SELECT g, now() - make_interval(secs => ($2::bigint - g) / 100.0), (ARRAY['TagSet','RepositoryPulled','ImagesAdded','TokenIssued'])[1 + g % 4],
         'user:u_' || (g % 5000), '10.0.' || (g % 250) || '.' || (g % 200), 'docker/1.6.2', md5(g::text), 'r' || (g % ${REPOSITORIES}),
         'images', 'images-r' || (g % ${REPOSITORIES}) || '-' || g, 1,
         jsonb_build_object('repositoryId', 'r' || (g % ${REPOSITORIES}), 'tag', 'latest', 'imageId', md5(g::text) || md5(g::text)),
         md5(g::text) || md5(g::text), md5((g - 1)::text) || md5((g - 1)::text), NULL, NULL, NULL, md5(g::text) || md5(g::text)
       FROM generate_series($1::bigint, $2::bigint) g`,
      [start, end],
    );
    await db.query(
      `INSERT INTO read.audit_repository_entries (repository, seq)
       SELECT 'ns_' || (g % ${REPOSITORIES} / 10) || '/repo_' || (g % ${REPOSITORIES}), g FROM generate_series($1::bigint, $2::bigint) g`,
      [start, end],
    );
  }
  await db.query(
    `INSERT INTO read.audit_repository_entries (repository, seq) SELECT $1, g FROM generate_series($2::bigint, $3::bigint, $2::bigint) g`,
    [TARGET, every, every * TARGET_ENTRIES],
  );
  await db.query(`UPDATE read.audit_feed_head SET seq = $1`, [total]);
  await db.query('ANALYZE read.audit_entries; ANALYZE read.audit_repository_entries');
}

/** History pages of 100 entries of one repository, at random cursors, one at a time (the read's own latency). */
async function historyPages(model: AuditReadModel, cursors: string[], count = 1000): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const after = i === 0 ? null : cursors[Math.floor(Math.random() * (cursors.length - 100))];
    const started = process.hrtime.bigint();
    const page = await model.page({ repository: TARGET }, { ...ALL, after });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (page.entries.length !== 100) throw new Error(`a page of ${page.entries.length}`);
  }
  return { p50: round(percentile(samples, 50), 2), p99: round(percentile(samples, 99), 2) };
}

/** The whole feed as NDJSON into a sink that only counts: entries/s and the process's peak memory growth. */
async function exportFeed(model: AuditReadModel): Promise<{ perSecond: number; peakHeapGrowthMb: number; peakRssGrowthMb: number }> {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let peakHeap = heapBefore;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peakHeap = Math.max(peakHeap, usage.heapUsed);
    peakRss = Math.max(peakRss, usage.rss);
  }, 20);
  let lines = 0;
  const started = process.hrtime.bigint();
  await pipeline(
    exportStream(model.all({ feed: true }, ALL), 'ndjson'),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const byte of chunk) if (byte === 10) lines++;
        done();
      },
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
  return { perSecond: Math.round(lines / seconds), peakHeapGrowthMb: mb(peakHeap - heapBefore), peakRssGrowthMb: mb(peakRss - rssBefore) };
}

/**
 * The audit read model at scale (issue 9's bench): a history page of one repository as the feed
 * grows (it must not grow with it), and the NDJSON export's throughput and memory. Sizes from
 * AUDIT_BENCH_SIZES (default 100k and 1M entries; 10M takes long to fill on a small machine).
 */
export async function benchAudit(databaseUrl: string): Promise<Record<string, number>> {
  await runMigrations(databaseUrl, 'read', [CreateAuditReadModel1732400030300]);
  const sizes = (process.env.AUDIT_BENCH_SIZES ?? '100000,1000000').split(',').map(Number);
  const db = new Client(databaseUrl);
  await db.connect();
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const model = new AuditReadModel(pool);
  const result: Record<string, number> = {};
  let filled = 0;
  try {
    for (const size of sizes) {
      const fillStarted = Date.now();
      await grow(db, filled, size);
      filled = size;
      const cursors = (await db.query(`SELECT seq FROM read.audit_repository_entries WHERE repository = $1 ORDER BY seq`, [TARGET])).rows.map((row) =>
        String(row.seq),
      );
      const pages = await historyPages(model, cursors);
      // Exporting 10M entries takes minutes more and shows nothing the smaller feeds do not (memory stays flat).
      const exported = size <= Number(process.env.AUDIT_BENCH_EXPORT_MAX ?? 1_000_000) ? await exportFeed(model) : { perSecond: NaN, peakHeapGrowthMb: NaN, peakRssGrowthMb: NaN };
      console.log({ size, fillSeconds: round((Date.now() - fillStarted) / 1000), pages, exported });
      result[`entries${size}`] = size;
      result[`historyP50Ms${size}`] = pages.p50;
      result[`historyP99Ms${size}`] = pages.p99;
      result[`exportPerSecond${size}`] = exported.perSecond;
      result[`exportHeapGrowthMb${size}`] = exported.peakHeapGrowthMb;
      result[`exportRssGrowthMb${size}`] = exported.peakRssGrowthMb;
    }
  } finally {
    await pool.end();
    await db.end();
  }
  return result;
}

export function reportAudit(audit: Record<string, number>): string {
  const sizes = Object.keys(audit)
    .filter((key) => key.startsWith('entries'))
    .map((key) => audit[key]);
  const shown = (value: number, unit = '') => (Number.isNaN(value) ? 'not measured' : `${value}${unit}`);
  const rows = sizes
    .map(
      (size) =>
        `| ${size.toLocaleString('en')} | ${audit[`historyP50Ms${size}`]} ms | ${audit[`historyP99Ms${size}`]} ms | ${shown(audit[`exportPerSecond${size}`])} | ${shown(audit[`exportHeapGrowthMb${size}`], ' MiB')} / ${shown(audit[`exportRssGrowthMb${size}`], ' MiB')} |`,
    )
    .join('\n');
  return `
## The audit read model at scale

\`read.audit_entries\` filled with generate_series (as the projector writes them) across 100,000
repository names; one repository's ${TARGET_ENTRIES.toLocaleString('en')} entries spread through the whole feed. A history page
is \`AuditReadModel.page\` (the gateway's SQL: a keyset range on \`audit_repository_entries\`
(repository, seq) joined to the entries by position), 100 entries from a random cursor, 1,000 pages
one at a time. Target (issue 9): p99 < 20 ms, not growing with the feed. The export is the whole
feed as NDJSON (\`exportStream\` over keyset pages of 1,000) into a counting sink; memory is the
exporting process's peak growth over its start.

| entries | history page p50 | p99 | NDJSON export entries/s | export peak heap / RSS growth |
|---|---|---|---|---|
${rows}
`;
}

/** `node dist/bench/audit.bench.js`: this bench alone, on an embedded PostgreSQL of its own. */
if (require.main === module) {
  void (async () => {
    const { resolve } = await import('node:path');
    const { startEmbeddedPostgres } = await import('@dockyard/runtime');
    const pg = await startEmbeddedPostgres({ dataDir: resolve(__dirname, '../../.test-runs', `bench-audit-${Date.now()}`, 'pg'), port: 25433, database: 'postgres' });
    try {
      console.log(reportAudit(await benchAudit(pg.url)));
    } finally {
      await pg.stop();
    }
  })().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
