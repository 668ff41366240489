import { ChildProcess, execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { startScript, stopAll } from './hub-processes';
import { appendRegistrations, appendRepositories } from './event-backlogs';

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

/** A read model the bench rebuilds: its backlog, and when the live projector has folded it. */
interface RebuiltModel {
  name: 'users' | 'repositories';
  /** Events appended to the stores for it. */
  events: number;
  append(pool: Pool): Promise<void>;
  /** Streams each consumer must have checkpointed before the live model is whole. */
  caughtUp: Record<string, number>;
  /** Its streams, which the live audit projection folds too. */
  streams: number;
}

const MODELS = (users: number, repositories: number): RebuiltModel[] => [
  {
    name: 'users',
    events: users,
    append: (pool) => appendRegistrations(pool, 'rebuilt', users),
    caughtUp: { users },
    streams: users,
  },
  {
    name: 'repositories',
    events: repositories * 3,
    append: (pool) => appendRepositories(pool, 'rebuilt', repositories),
    caughtUp: { repositories, images: repositories },
    streams: repositories * 2,
  },
];

/**
 * Issue 8's rebuild throughput: the services and the projector running distributed, backlogs
 * appended straight into the stores (as registrations and pushes would, without the HTTP cost):
 * users (UserRegistered) and repositories (RepositoryCreated, ImagesAdded, TagSet); then, once the
 * live projector has caught up, `npm run rebuild -- <model> --verify` for each. Reports the
 * rebuild's own figures: events folded per second (the whole run: copy, two passes, reconcile,
 * comparison and swap) and how long readers waited on the swap.
 */
export async function benchRebuild(
  databaseUrl: string,
  brokers: string[],
  users = Number(process.env.REBUILD_USERS ?? 30000),
  repositories = Number(process.env.REBUILD_REPOSITORIES ?? 10000),
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
          `SELECT to_regclass('read.consumer_checkpoints') AS t, to_regclass('accounts.events') AS a,
                  to_regclass('repositories.events') AS r, to_regclass('images.events') AS i`,
        )
      ).rows.some((r) => !r.t || !r.a || !r.r || !r.i)
    ) {
      if (Date.now() > ready) throw new Error('the services did not migrate their stores');
      await new Promise((r) => setTimeout(r, 500));
    }
    const models = MODELS(users, repositories);
    for (const model of models) await model.append(pool);
    // The live projector first catches up, so --verify compares like with like.
    const caughtUp = Date.now() + 10 * 60 * 1000;
    // The audit too: catching up, it took a core from the rebuilds measured first.
    const audit = models.reduce((sum, model) => sum + model.streams, 0);
    for (const [consumer, streams] of [
      ...models.flatMap((model) => Object.entries(model.caughtUp)),
      ['audit', audit] as const,
    ]) {
      while (
        Number(
          (await pool.query(`SELECT count(*) FROM read.consumer_checkpoints WHERE consumer = $1`, [consumer]))
            .rows[0].count,
        ) < streams
      ) {
        if (Date.now() > caughtUp) throw new Error(`the projector did not catch up (${consumer})`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // This build and the baseline's (BENCH_BASELINE_ROOT: its own rebuild code, against these same
    // services and stores) take turns, so neither has the warmer machine.
    const rebuildWith = async (root: string, model: string): Promise<RebuildReport> => {
      const { stdout } = await run(
        process.execPath,
        [resolve(root, 'dist/apps/projector/src/rebuild.main.js'), model, '--verify'],
        {
          env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
          timeout: 30 * 60 * 1000,
          maxBuffer: 10 * 1024 * 1024,
        },
      );
      return JSON.parse(stdout.trim().split('\n').pop()!);
    };
    const baselineRoot = process.env.BENCH_BASELINE_ROOT;
    const runs: { model: string; build: 'this' | 'baseline'; report: RebuildReport }[] = [];
    for (const model of models) {
      for (let round = 0; round < ROUNDS; round++) {
        runs.push({ model: model.name, build: 'this', report: await rebuildWith(ROOT, model.name) });
        if (baselineRoot)
          runs.push({
            model: model.name,
            build: 'baseline',
            report: await rebuildWith(baselineRoot, model.name),
          });
      }
    }
    return { users, repositories, runs, baselineRoot };
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
  const row = ({ model, build, report }: (typeof rebuild.runs)[number]) =>
    `| ${model} | ${build === 'this' ? 'this build' : `baseline (\`${rebuild.baselineRoot}\`)`} | ${report.events} | ${report.seconds} | ${report.eventsPerSecond} | ${report.lockedMs} ms | ${JSON.stringify(report.differences)} |`;
  return `
## Rebuilding a read model (issue 8)

\`npm run rebuild -- <model> --verify\` against the distributed services, after backlogs were appended
straight into the stores and projected live (the audit projection included, so none of it runs under the measured rebuilds): ${rebuild.users} registrations (\`users\`), and
${rebuild.repositories} repositories as pushes leave them, \`RepositoryCreated\`, \`ImagesAdded\` (3 images) and
\`TagSet\` each (\`repositories\`: the repositories, their names, images and tags). The whole run counts:
copy, two passes over the stores' \`read-events\` pages, reconcile, row-for-row comparison, swap.
Target (DESIGN §8): ≥ 20k events/s. This build and the baseline build (its own rebuild code, the same
services and stores) take turns, ${ROUNDS} runs each${rebuild.baselineRoot ? '' : ' (no baseline build given: BENCH_BASELINE_ROOT)'}.

| read model | build | events | seconds | events/s | readers held by the swap (incl. the comparison) | differences |
|---|---|---|---|---|---|---|
${rebuild.runs.map(row).join('\n')}
`;
}
