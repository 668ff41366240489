import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { ActivityBatch, RepositoryCountActivity } from '@dockyard/contracts';
import { KafkaBus } from '@dockyard/messaging';
import { cpuSeconds, startBuild, stopAll } from './hub-processes';

const ROOT = resolve(__dirname, '../..');

/** The capacity model's peak: 150 gateway replicas, each flushing every 50 ms, 42,000 pulls/s in all. */
const MESSAGES = Number(process.env.AUDIT_ACTIVITY_MESSAGES ?? 3000);
const PULLS_PER_MESSAGE = 14;

export interface ActivityDrain {
  messages: number;
  pulls: number;
  /** From the first entry (count) to the last. */
  feedSeconds: number;
  countSeconds: number;
  /** Distinct transactions that wrote the pulls' audit entries (xmin). */
  feedTransactions: number;
  /** Distinct transactions that counted the messages (xmin of `read.counted_activity`). */
  countTransactions: number;
  /** The projector's CPU from its first entry or count to the last of both, per message. */
  projectorCpuMsPerMessage: number;
}

/**
 * The gateways' activity messages into the audit feed and the counts, on the projector of the build
 * at `root` alone (no other service: activity needs none). `MESSAGES` messages of
 * `PULLS_PER_MESSAGE` pulls each (one second of the capacity model's peak: 150 gateway replicas × 20
 * flushes) are published to the activity topic first, then the projector starts and drains them:
 * seconds from the first audit entry (counted message) to the last, and how many transactions
 * wrote them.
 */
export async function drainActivityMessages(root: string, databaseUrl: string, brokers: string[]): Promise<ActivityDrain> {
  const topicPrefix = `benchactivity${Date.now()}`;
  const bus = new KafkaBus({ brokers, clientId: 'bench-activity', topicPrefix, partitions: 3, replicationFactor: 1 });
  await bus.connect();
  const repositoryId = randomUUID();
  const at = new Date().toISOString();
  const pull = (): RepositoryCountActivity => ({ activityId: randomUUID(), kind: 'pull', repositoryId, images: ['a'.repeat(64)], actor: 'anonymous', at });
  try {
    for (let n = 0; n < MESSAGES; n += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, MESSAGES - n) }, () =>
          bus.recordActivity({ activityId: randomUUID(), repositoryId: null, kind: 'batch', activities: Array.from({ length: PULLS_PER_MESSAGE }, pull) } satisfies ActivityBatch),
        ),
      );
    }
  } finally {
    await bus.close();
  }
  const projector = startBuild(root, 'dist/apps/projector/src/main.js', {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: topicPrefix,
    DOCKYARD_DATA: resolve(ROOT, '.test-runs/bench-activity'),
    DOCKYARD_PG_POOL_SIZE: '10',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
  });
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const pulls = MESSAGES * PULLS_PER_MESSAGE;
  const count = async (sql: string) => Number((await pool.query(sql).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
  const progress = {
    feed: { done: () => count(`SELECT count(*) AS n FROM read.audit_entries WHERE type = 'RepositoryPulled'`), of: pulls },
    count: { done: () => count(`SELECT count(*) AS n FROM read.counted_activity`), of: MESSAGES },
  };
  try {
    const deadline = Date.now() + 15 * 60 * 1000;
    const first: Partial<Record<keyof typeof progress, number>> = {};
    const last: Partial<Record<keyof typeof progress, number>> = {};
    let cpuFrom: number | undefined;
    while (last.feed === undefined || last.count === undefined) {
      if (Date.now() > deadline) throw new Error(`${root}: activity not drained in 15 min`);
      for (const name of ['feed', 'count'] as const) {
        if (last[name] !== undefined) continue;
        const done = await progress[name].done();
        if (done > 0) cpuFrom ??= cpuSeconds(projector.pid!);
        if (done > 0) first[name] ??= performance.now();
        if (done >= progress[name].of) last[name] = performance.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const cpu = cpuSeconds(projector.pid!) - cpuFrom!;
    const seconds = (name: keyof typeof progress) => Number(((last[name]! - first[name]!) / 1000).toFixed(1));
    return {
      messages: MESSAGES,
      pulls,
      feedSeconds: seconds('feed'),
      countSeconds: seconds('count'),
      feedTransactions: await count(`SELECT count(DISTINCT xmin::text) AS n FROM read.audit_entries WHERE type = 'RepositoryPulled'`),
      countTransactions: await count(`SELECT count(DISTINCT xmin::text) AS n FROM read.counted_activity`),
      projectorCpuMsPerMessage: Number(((cpu * 1000) / MESSAGES).toFixed(2)),
    };
  } finally {
    await pool.end();
    await stopAll([projector]);
  }
}

export interface ActivityMessagesBench {
  build: ActivityDrain;
  baseline?: ActivityDrain;
  baselineRoot?: string;
}

const rows = (name: string, d: ActivityDrain) => [
  `| ${name} | audit feed | ${d.feedSeconds} | **${Math.round(d.messages / d.feedSeconds).toLocaleString('en')}** | ${d.feedTransactions.toLocaleString('en')} | ${d.projectorCpuMsPerMessage} (both) |`,
  `| ${name} | counts | ${d.countSeconds} | **${Math.round(d.messages / d.countSeconds).toLocaleString('en')}** | ${d.countTransactions.toLocaleString('en')} | |`,
];

export function reportActivityMessages(bench: ActivityMessagesBench): string {
  const { build, baseline } = bench;
  return `
## Activity messages into the audit feed and the counts (beside the capacity model)

\`npm run bench -- activity\`: one second of the capacity model's peak as the projector meets it —
${build.messages.toLocaleString('en')} activity messages of ${build.pulls / build.messages} pulls each (150 gateway replicas, each
sending its pulls every 50 ms) — published to the activity topic first, then a projector started alone
drains them: into the audit feed (consumer group \`audit\`) and into the counts (\`projector\`), at the same
time. Seconds from the first audit entry (counted message) to the last; transactions are the distinct
transactions that wrote them (xmin); the projector's CPU (\`/proc\`) from its first entry or count to
the last of both. The machine's 2 cores are busy throughout (the projector, PostgreSQL and the broker
share them), so these rows are bound by CPU, not by either lock. The baseline rows are the build at BENCH_BASELINE_ROOT, same bench
code, its own database, same run.

| build | into | seconds | messages/s | transactions | projector CPU ms a message |
|---|---|---|---|---|---|
${rows('this build', build).join('\n')}
${baseline ? rows(`baseline (\`${bench.baselineRoot}\`)`, baseline).join('\n') : '| baseline | not measured (no BENCH_BASELINE_ROOT) | | | | |'}

Both fold a message delivered alone at once, and keep those that overlap it or come while others
wait in an inbox of their own, whose writer puts the messages that wait, up to 50, in one transaction (\`apps/projector/src/audit/audit-inbox.ts\`,
\`apps/projector/src/activity/activity-inbox.ts\`): transactions follow the writers' passes, not the
gateways' flushes. Each audit transaction holds the feed's one lock (its ceiling in the section
above); each counting transaction announces the new counters with a NOTIFY inside it, under
PostgreSQL's one notification lock (the notify section). Neither lock now bounds how many gateway
replicas may send activity.
`;
}
