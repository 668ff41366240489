import { ChildProcess, execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { startScript, stopAll } from './hub-processes';
import { appendRegistrations } from './event-backlogs';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

/**
 * Issue 8's rebuild throughput: the services and the projector running distributed, `users` events
 * appended straight into the accounts store (as registrations would, without the HTTP cost), then
 * (once the live projector has caught up) `npm run rebuild -- users --verify`. Reports the rebuild's own figures: events folded per second
 * (the whole run: copy, two passes, reconcile and swap) and how long readers waited on the swap.
 */
export async function benchRebuild(databaseUrl: string, brokers: string[], users = Number(process.env.REBUILD_USERS ?? 30000)) {
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: `benchrebuild${Date.now()}`,
    DOCKYARD_DATA: resolve(ROOT, '.test-runs/bench-rebuild'),
    DOCKYARD_PG_POOL_SIZE: '10',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
  };
  const processes: ChildProcess[] = ['projector', 'accounts', 'repositories', 'images', 'tokens'].map((app) =>
    startScript(`dist/apps/${app}/src/main.js`, env),
  );
  const pool = new Pool({ connectionString: databaseUrl, max: 8 });
  try {
    const ready = Date.now() + 120000;
    while ((await pool.query(`SELECT to_regclass('read.consumer_checkpoints') AS t, to_regclass('accounts.events') AS a`)).rows.some((r) => !r.t || !r.a)) {
      if (Date.now() > ready) throw new Error('the services did not migrate their stores');
      await new Promise((r) => setTimeout(r, 500));
    }
    await appendRegistrations(pool, 'rebuilt', users);
    // The live projector first catches up, so --verify compares like with like.
    const caughtUp = Date.now() + 10 * 60 * 1000;
    while (Number((await pool.query(`SELECT count(*) FROM read.consumer_checkpoints WHERE consumer = 'users'`)).rows[0].count) < users) {
      if (Date.now() > caughtUp) throw new Error('the projector did not catch up');
      await new Promise((r) => setTimeout(r, 500));
    }
    const { stdout } = await run(process.execPath, [resolve(ROOT, 'dist/apps/projector/src/rebuild.main.js'), 'users', '--verify'], {
      env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      timeout: 30 * 60 * 1000,
      maxBuffer: 10 * 1024 * 1024,
    });
    return { users, ...JSON.parse(stdout.trim().split('\n').pop()!) };
  } finally {
    await pool.end();
    await stopAll(processes);
  }
}

if (require.main === module) {
  benchRebuild(process.argv[2], (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')).then(
    (result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

export function reportRebuild(rebuild: Awaited<ReturnType<typeof benchRebuild>>): string {
  return `
## Rebuilding a read model (issue 8)

\`npm run rebuild -- users --verify\` against the distributed services after ${rebuild.users} registrations were
appended to the accounts store (and projected live): the whole run (copy, two passes over the
store's \`read-events\` pages, reconcile, row-for-row comparison, swap). Target: ≥ 20k events/s.

| events | seconds | events/s | readers held by the swap (incl. the comparison) | differences |
|---|---|---|---|---|
| ${rebuild.events} | ${rebuild.seconds} | ${rebuild.eventsPerSecond} | ${rebuild.lockedMs} ms | ${JSON.stringify(rebuild.differences)} |
`;
}
