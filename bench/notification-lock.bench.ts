import { Client } from 'pg';
import { percentile, round } from './stats';

const SECONDS = 4;
export const NOTIFY_CONCURRENCY = [1, 4, 16] as const;

/** Three ways to commit one row and wake a listener: the shapes the event store has had. */
const WRITES: Record<string, (client: Client) => Promise<unknown>> = {
  /** The row alone: what the disk and the machine allow. */
  insert: (client) => client.query(`INSERT INTO bench_notify.rows (x) VALUES ('a')`),
  /** The NOTIFY in the inserting transaction (appends until relay-wake.ts; the projector's announcements). */
  notifyInside: (client) =>
    client.query(`WITH a AS (INSERT INTO bench_notify.rows (x) VALUES ('a') RETURNING id) SELECT pg_notify('bench_notify', '') FROM a`),
  /** The NOTIFY after the commit, in the same round trip (appends now). */
  notifyAfter: (client) => client.query(`BEGIN; INSERT INTO bench_notify.rows (x) VALUES ('a'); COMMIT; SELECT pg_notify('bench_notify', '')`),
};

/**
 * PostgreSQL's notification lock: a transaction that has queued a NOTIFY holds one lock, for the
 * whole cluster, from just before its commit until after its WAL flush (async.c, PreCommit_Notify),
 * so notifying commits go one at a time however many sessions write. Each shape runs SECONDS at
 * each concurrency, one autocommitted row a write, on one database of the bench's cluster.
 */
export async function benchNotificationLock(url: string): Promise<Record<string, number>> {
  // Clients, not a pool: each `end()` resolves once its session has closed, so none is left for
  // the bench's PostgreSQL to terminate under it when it stops.
  const sessions = await Promise.all(
    Array.from({ length: Math.max(...NOTIFY_CONCURRENCY) }, async () => {
      const client = new Client(url);
      await client.connect();
      return client;
    }),
  );
  await sessions[0].query('CREATE SCHEMA IF NOT EXISTS bench_notify; CREATE TABLE IF NOT EXISTS bench_notify.rows (id bigserial PRIMARY KEY, x text)');
  const results: Record<string, number> = {};
  try {
    for (const concurrency of NOTIFY_CONCURRENCY) {
      for (const [shape, write] of Object.entries(WRITES)) {
        const ends = Date.now() + SECONDS * 1000;
        const latencies: number[] = [];
        await Promise.all(
          sessions.slice(0, concurrency).map(async (client) => {
            while (Date.now() < ends) {
              const started = process.hrtime.bigint();
              await write(client);
              latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            }
          }),
        );
        results[`${shape}_${concurrency}_perSecond`] = round(latencies.length / SECONDS, 0);
        results[`${shape}_${concurrency}_p50Ms`] = round(percentile(latencies, 50), 2);
        results[`${shape}_${concurrency}_p99Ms`] = round(percentile(latencies, 99), 2);
      }
    }
  } finally {
    await Promise.all(sessions.map((client) => client.end()));
  }
  return results;
}
