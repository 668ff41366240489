import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../runtime/src/embedded-postgres';
import { freePort } from './free-port';

/**
 * One real PostgreSQL for the whole Jest run (each suite makes its own databases in it). Kafka is
 * started by scripts/test.sh; KAFKA_BROKERS says where.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DOCKYARD_TEST_PG_URL) return;
  const runDir = resolve(__dirname, '../../../.test-runs', randomUUID());
  mkdirSync(runDir, { recursive: true });
  const pg = await startOnAFreePort(resolve(runDir, 'pg'));
  process.env.DOCKYARD_TEST_PG_URL = pg.url;
  (globalThis as { __dockyardPg?: typeof pg }).__dockyardPg = pg;
  writeFileSync(resolve(runDir, 'url'), pg.url);
}

/**
 * CI once lost the fault suite to a start that failed with no reason given (the port was then
 * drawn at random, in the kernel's ephemeral range too). Now the port is one nobody listens on,
 * below that range; a start that fails anyway is tried again on another, and the error carries
 * PostgreSQL's last lines.
 */
async function startOnAFreePort(dataDir: string): Promise<EmbeddedPostgresHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres' });
    } catch (error) {
      if (attempt === 3) throw error;
      console.warn(`the test PostgreSQL did not start (attempt ${attempt}): ${(error as Error).message}`);
    }
  }
}
