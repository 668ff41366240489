import { ChildProcess, execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { startScript, stopAll } from './hub-processes';
import { appendRegistrations } from './event-backlogs';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
/** Rebuilds per build, taking turns with the baseline's. */
const ROUNDS = 2;

interface RebuildReport {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  lockedMs: number;
  differences?: Record<string, { onlyLive: number; onlyRebuilt: number }>;
}

/**
 * Issue 8's rebuild throughput: the services and the projector running distributed, `users` events
 * appended straight into the accounts store (as registrations would, without the HTTP cost), then
 * (once the live projector has caught up) `npm run rebuild -- users --verify`. Reports the rebuild's own figures: events folded per second
 * (the whole run: copy, two passes, reconcile and swap) and how long readers waited on the swap.
 */
export async function benchRebuild(
  databaseUrl: string,
  brokers: string[],
  users = Number(process.env.REBUILD_USERS ?? 30000),
) {
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
    while (
      (
        await pool.query(
          `SELECT to_regclass('read.consumer_checkpoints') AS t, to_regclass('accounts.events') AS a`,
        )
      ).rows.some((r) => !r.t || !r.a)
    ) {
      if (Date.now() > ready) throw new Error('the services did not migrate their stores');
      await new Promise((r) => setTimeout(r, 500));
    }
    await appendRegistrations(pool, 'rebuilt', users);
    // The live projector first catches up, so --verify compares like with like.
    const caughtUp = Date.now() + 10 * 60 * 1000;
    while (
      Number(
        (await pool.query(`SELECT count(*) FROM read.consumer_checkpoints WHERE consumer = 'users'`)).rows[0]
          .count,
      ) < users
    ) {
      if (Date.now() > caughtUp) throw new Error('the projector did not catch up');
      await new Promise((r) => setTimeout(r, 500));
    }
    // This build and the baseline's (BENCH_BASELINE_ROOT: its own rebuild code, against these same
    // services and store) take turns, so neither has the warmer machine.
    const rebuildWith = async (root: string): Promise<RebuildReport> => {
      const { stdout } = await run(
        process.execPath,
        [resolve(root, 'dist/apps/projector/src/rebuild.main.js'), 'users', '--verify'],
        {
          env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
          timeout: 30 * 60 * 1000,
          maxBuffer: 10 * 1024 * 1024,
        },
      );
      return JSON.parse(stdout.trim().split('\n').pop()!);
    };
    const baselineRoot = process.env.BENCH_BASELINE_ROOT;
    const runs: RebuildReport[] = [];
    const baselineRuns: RebuildReport[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      runs.push(await rebuildWith(ROOT));
      if (baselineRoot) baselineRuns.push(await rebuildWith(baselineRoot));
    }
    return { users, runs, baselineRoot, baselineRuns };
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
  const row = (build: string, report: RebuildReport) =>
    `| ${build} | ${report.events} | ${report.seconds} | ${report.eventsPerSecond} | ${report.lockedMs} ms | ${JSON.stringify(report.differences)} |`;
  const rows = [
    ...rebuild.runs.map((report) => row('this build', report)),
    ...(rebuild.baselineRoot
      ? rebuild.baselineRuns.map((report) => row(`baseline (\`${rebuild.baselineRoot}\`)`, report))
      : ['| baseline (BENCH_BASELINE_ROOT) | not measured | | | | |']),
  ];
  return `
## Rebuilding a read model (issue 8)

\`npm run rebuild -- users --verify\` against the distributed services after ${rebuild.users} registrations were
appended to the accounts store (and projected live): the whole run (copy, two passes over the
store's \`read-events\` pages, reconcile, row-for-row comparison, swap). Target: ≥ 20k events/s.
This build and the baseline build (its own rebuild code, the same services and store) take turns,
${ROUNDS} runs each.

| build | events | seconds | events/s | readers held by the swap (incl. the comparison) | differences |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
}
