import { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { EventStore, runMigrations } from '@dockyard/eventstore';
import { median, round } from './stats';

const EVENTS_PER_APPEND = 5;
const APPENDS = 600;
const WORKERS = 4;

async function inParallel(count: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (next < count) await work(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * Event-store appends against plain batched INSERTs of the same rows (same columns, same batch of
 * five rows per transaction, same concurrency) through `pg` — the cost of the expected-version
 * check, the hash chain and the NOTIFY.
 */
export async function benchEventStore(url: string): Promise<Record<string, number>> {
  await runMigrations(url, 'bench');
  const pool = new Pool({ connectionString: url, max: WORKERS });
  await pool.query(`CREATE TABLE IF NOT EXISTS bench.plain (LIKE bench.events INCLUDING DEFAULTS)`);
  const store = new EventStore(pool, 'bench');
  const meta = { correlationId: 'bench', actor: 'system:bench' };
  const data = { repository: 'alice/web', description: 'x'.repeat(100) };
  const ratios: number[] = [];
  const storeRates: number[] = [];
  const plainRates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const storeSeconds = await inParallel(APPENDS, async (i) => {
      await store.append(`s-${run}-${i}`, 0, Array.from({ length: EVENTS_PER_APPEND }, () => ({ type: 'Bench', data })), meta);
    });
    const plainSeconds = await inParallel(APPENDS, async (i) => {
      const values: unknown[] = [];
      const rows: string[] = [];
      for (let v = 1; v <= EVENTS_PER_APPEND; v++) {
        const n = values.length;
        rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, 'Bench', 1, $${n + 4}, $${n + 5}, '', '')`);
        values.push(randomUUID(), `p-${run}-${i}`, v, JSON.stringify(data), JSON.stringify(meta));
      }
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO bench.plain (event_id, stream_id, stream_version, type, schema_version, data, metadata, prev_hash, hash)
           VALUES ${rows.join(', ')}`,
          values,
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
    const storeRate = (APPENDS * EVENTS_PER_APPEND) / storeSeconds;
    const plainRate = (APPENDS * EVENTS_PER_APPEND) / plainSeconds;
    storeRates.push(storeRate);
    plainRates.push(plainRate);
    ratios.push(storeRate / plainRate);
  }
  await pool.end();
  return {
    eventStoreEventsPerSecond: round(median(storeRates), 0),
    plainInsertEventsPerSecond: round(median(plainRates), 0),
    ratio: round(median(ratios), 2),
  };
}
