import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { ActivityBatch, RepositoryCountActivity } from '@dockyard/contracts';
import { KafkaBus } from '@dockyard/messaging';
import { startBuild, stopAll } from './hub-processes';

const ROOT = resolve(__dirname, '../..');

/** The capacity model's peak: 150 gateway replicas, each flushing every 50 ms, 42,000 pulls/s in all. */
const MESSAGES = Number(process.env.AUDIT_ACTIVITY_MESSAGES ?? 3000);
const PULLS_PER_MESSAGE = 14;

export interface ActivityDrain {
  messages: number;
  pulls: number;
  seconds: number;
  messagesPerSecond: number;
  pullsPerSecond: number;
  /** Distinct transactions that wrote the pulls' entries (xmin). */
  feedTransactions: number;
}

/**
 * The gateways' activity messages into the audit feed, on the projector of the build at `root`
 * alone (no other service: activity needs none). `MESSAGES` messages of `PULLS_PER_MESSAGE` pulls
 * each (one second of the capacity model's peak: 150 gateway replicas × 20 flushes) are published
 * to the activity topic first, then the projector starts and drains them: from its first
 * `RepositoryPulled` entry to the last, and how many feed transactions wrote them.
 */
export async function drainActivityIntoFeed(root: string, databaseUrl: string, brokers: string[]): Promise<ActivityDrain> {
  const topicPrefix = `benchauditactivity${Date.now()}`;
  const bus = new KafkaBus({ brokers, clientId: 'bench-audit-activity', topicPrefix, partitions: 3, replicationFactor: 1 });
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
    DOCKYARD_DATA: resolve(ROOT, '.test-runs/bench-audit-activity'),
    DOCKYARD_PG_POOL_SIZE: '10',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
  });
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const pulls = MESSAGES * PULLS_PER_MESSAGE;
  const entered = async () =>
    Number((await pool.query(`SELECT count(*) AS n FROM read.audit_entries WHERE type = 'RepositoryPulled'`).catch(() => ({ rows: [{ n: 0 }] }))).rows[0].n);
  try {
    const deadline = Date.now() + 15 * 60 * 1000;
    let first: number | undefined;
    let done = 0;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${root}: ${done} of ${pulls} pulls in the feed after 15 min`);
      done = await entered();
      if (done > 0) first ??= performance.now();
      if (done >= pulls) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - first!) / 1000;
    const { rows } = await pool.query(`SELECT count(DISTINCT xmin::text) AS n FROM read.audit_entries WHERE type = 'RepositoryPulled'`);
    return {
      messages: MESSAGES,
      pulls,
      seconds: Number(seconds.toFixed(1)),
      messagesPerSecond: Math.round(MESSAGES / seconds),
      pullsPerSecond: Math.round(pulls / seconds),
      feedTransactions: Number(rows[0].n),
    };
  } finally {
    await pool.end();
    await stopAll([projector]);
  }
}

export interface AuditActivityBench {
  build: ActivityDrain;
  baseline?: ActivityDrain;
  baselineRoot?: string;
}

const row = (name: string, d: ActivityDrain) =>
  `| ${name} | ${d.messages.toLocaleString('en')} × ${d.pulls / d.messages} | ${d.seconds} | **${d.messagesPerSecond.toLocaleString('en')}** | ${d.pullsPerSecond.toLocaleString('en')} | ${d.feedTransactions.toLocaleString('en')} |`;

export function reportAuditActivity(bench: AuditActivityBench): string {
  return `
## Activity messages into the audit feed (beside the capacity model)

\`npm run bench -- audit-activity\`: one second of the capacity model's peak as the audit meets it —
${bench.build.messages.toLocaleString('en')} activity messages of ${bench.build.pulls / bench.build.messages} pulls each (150 gateway replicas, each
sending its pulls every 50 ms) — published to the activity topic first, then a projector started alone
drains them into the feed. From its first \`RepositoryPulled\` entry to the last; feed transactions are
the distinct transactions that wrote the entries. The baseline row is the build at BENCH_BASELINE_ROOT,
same bench code, its own database, same run.

| build | messages × pulls | seconds | messages/s | pulls/s | feed transactions |
|---|---|---|---|---|---|
${row('this build', bench.build)}
${bench.baseline ? row(`baseline (\`${bench.baselineRoot}\`)`, bench.baseline) : '| baseline | not measured (no BENCH_BASELINE_ROOT) | | | | |'}

The audit's writer takes the messages that arrived while the feed was busy in one transaction
(\`apps/projector/src/audit/audit-inbox.ts\`, up to 50 messages a batch): feed transactions follow its
passes, not the gateways' flushes, so the feed's one lock (its ceiling in the section above) no
longer bounds how many gateway replicas may send activity.
`;
}
