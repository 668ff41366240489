import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startEmbeddedPostgres } from '../../runtime/src/embedded-postgres';

/**
 * One real PostgreSQL for the whole Jest run (each suite makes its own databases in it). Kafka is
 * started by scripts/test.sh; KAFKA_BROKERS says where.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DOCKYARD_TEST_PG_URL) return;
  const runDir = resolve(__dirname, '../../../.test-runs', randomUUID());
  mkdirSync(runDir, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const pg = await startEmbeddedPostgres({ dataDir: resolve(runDir, 'pg'), port, database: 'postgres' });
  process.env.DOCKYARD_TEST_PG_URL = pg.url;
  (globalThis as { __dockyardPg?: typeof pg }).__dockyardPg = pg;
  writeFileSync(resolve(runDir, 'url'), pg.url);
}
