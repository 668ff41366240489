import { resolve } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@dockyard/runtime';
import { benchPort } from './hub-processes';

/**
 * Side by side: the distributed docker push index sequence of several builds of Dockyard (each a
 * checkout with its own `dist/`, e.g. a `git worktree` of an older commit), interleaved, on one
 * PostgreSQL and one broker, so that a change's cost is measured against its baseline in the same
 * run on the same machine. `KAFKA_BROKERS=... node dist/bench/compare-builds.js <root> <root> ...`
 * (ROUNDS=2 by default).
 */
async function main(): Promise<void> {
  const roots = process.argv.slice(2).map((root) => resolve(root));
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const pg = await startEmbeddedPostgres({
    dataDir: resolve(__dirname, '../../.test-runs', `compare-${Date.now()}`, 'pg'),
    port: benchPort(19899), // 25499 by default
    database: 'postgres',
  });
  try {
    for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
      for (const [index, root] of roots.entries()) {
        const name = `compare_${round}_${index}`;
        const admin = new Client(pg.url);
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(pg.url);
        url.pathname = `/${name}`;
        // Each build measures itself with its own bench code and its own apps.
        const { benchPushSequence } = require(resolve(root, 'dist/bench/push-sequence.bench.js'));
        console.log(root, JSON.stringify(await benchPushSequence(url.toString(), brokers)));
      }
    }
  } finally {
    await pg.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
