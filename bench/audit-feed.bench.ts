import { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import { appendAuditEntries } from '../apps/projector/src/audit/audit-feed';
import { startScript, stopAll } from './hub-processes';
import { median } from './stats';
import { appendRegistrations } from './registrations';

const ROOT = resolve(__dirname, '../..');

interface Drain {
  /** Events applied per second, from the first append to the last event applied. */
  eventsPerSecond: number;
  seconds: number;
}

/**
 * How fast the audit feed takes events one at a time, beside a projection that folds the same
 * events without the feed's lock. The distributed services run; `events` UserRegistered are appended
 * straight into the accounts store (in transactions of 200, as a burst). Both the users projection
 * and the audit projection fold every one of them, each event in its own transaction
 * (StreamConsumer); the audit's also moves `read.audit_feed_head`, the one row every audit write
 * locks until it commits. Every TokenIssued (one per pull with `X-Docker-Token: true`) reaches the
 * audit this way.
 */
export async function benchAuditFeed(databaseUrl: string, brokers: string[], events = Number(process.env.AUDIT_FEED_EVENTS ?? 6000)) {
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: `benchauditfeed${Date.now()}`,
    DOCKYARD_DATA: resolve(ROOT, '.test-runs/bench-audit-feed'),
    DOCKYARD_PG_POOL_SIZE: '10',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
  };
  const processes: ChildProcess[] = ['accounts', 'repositories', 'images', 'tokens'].map((app) => startScript(`dist/apps/${app}/src/main.js`, env));
  const pool = new Pool({ connectionString: databaseUrl, max: 8 });
  const count = async (sql: string) => Number((await pool.query(sql)).rows[0].count);
  const usersApplied = () => count(`SELECT count(*) FROM read.consumer_checkpoints WHERE consumer = 'users'`).catch(() => 0);
  const auditApplied = () => count(`SELECT seq AS count FROM read.audit_feed_head WHERE id = 1`).catch(() => 0);
  try {
    const ready = Date.now() + 120000;
    while ((await pool.query(`SELECT to_regclass('accounts.events') AS a`)).rows.some((r) => !r.a)) {
      if (Date.now() > ready) throw new Error('the accounts service did not migrate its store');
      await new Promise((r) => setTimeout(r, 500));
    }
    // The backlog first, the projector after: its consumers then run flat out, and the appends'
    // own load is not part of what is measured.
    await appendRegistrations(pool, 'audited', events);
    processes.push(startScript('dist/apps/projector/src/main.js', env));
    const migrated = Date.now() + 120000;
    while (!(await pool.query(`SELECT to_regclass('read.audit_feed_head') AS t`)).rows[0].t) {
      if (Date.now() > migrated) throw new Error('the projector did not migrate the read models');
      await new Promise((r) => setTimeout(r, 100));
    }
    const progress = { users: usersApplied, audit: auditApplied };
    const first: Partial<Record<keyof typeof progress, number>> = {};
    const last: Partial<Record<keyof typeof progress, number>> = {};
    const deadline = Date.now() + 15 * 60 * 1000;
    while (last.users === undefined || last.audit === undefined) {
      if (Date.now() > deadline) throw new Error(`not drained in 15 min: ${JSON.stringify(last)}`);
      for (const name of ['users', 'audit'] as const) {
        if (last[name] !== undefined) continue;
        const applied = await progress[name]();
        if (applied > 0) first[name] ??= performance.now();
        if (applied >= events) last[name] = performance.now();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const drain = (name: 'users' | 'audit'): Drain => {
      const seconds = (last[name]! - first[name]!) / 1000;
      return { seconds: Number(seconds.toFixed(1)), eventsPerSecond: Math.round(events / seconds) };
    };
    return { events, users: drain('users'), audit: drain('audit'), serial: await serialFeed(pool, SERIAL_APPENDS) };
  } finally {
    await pool.end();
    await stopAll(processes);
  }
}

const SERIAL_APPENDS = 500;

/**
 * The feed's ceiling whatever the cores: `appends` feed transactions one after another in one
 * session, each an entry appended as the audit projection appends it (`appendAuditEntries`) and
 * committed. The head row is locked from the entry's first statement to the commit, so no number of
 * writers gets more than one such hold at a time through the feed: 1 ÷ the median hold is its most.
 * (An upper bound: the projector's transactions also link the entry and move a checkpoint under it.)
 */
async function serialFeed(pool: Pool, appends: number) {
  const client = await pool.connect();
  const holds: number[] = [];
  try {
    const started = performance.now();
    for (let n = 0; n < appends; n++) {
      await client.query('BEGIN');
      const locked = performance.now();
      await appendAuditEntries(client, [
        {
          time: new Date().toISOString(), type: 'BenchAppended', actor: 'system:bench', source_ip: null, user_agent: null,
          request_id: null, repository_id: null, service: 'bench', stream: `bench-${n}`, version: 1, data: { n },
          hash: `bench-${n}`, prev_hash: null, username: null, imageRef: null, activityId: null,
        },
      ]);
      await client.query('COMMIT');
      holds.push(performance.now() - locked);
    }
    const seconds = (performance.now() - started) / 1000;
    const holdP50 = median(holds);
    return { appends, perSecond: Math.round(appends / seconds), holdP50Ms: Number(holdP50.toFixed(2)), ceilingPerSecond: Math.round(1000 / holdP50) };
  } finally {
    client.release();
  }
}

export type AuditFeedBench = Awaited<ReturnType<typeof benchAuditFeed>>;

/**
 * The section beside the capacity model: what the feed's one lock means at the model's rates. A pull
 * with a token is one TokenIssued, folded into the feed in a transaction of its own; the pulls'
 * activity comes in each gateway's batches (DOCKYARD_ACTIVITY_FLUSH_MS, 50 ms: at most 20 a second
 * per replica once busy), which the feed takes as one transaction each.
 */
export function reportAuditFeed(feed: AuditFeedBench): string {
  const ceiling = feed.serial.ceilingPerSecond;
  const rows = [4200, 42000].map(
    (rate) =>
      `| ${rate.toLocaleString('en')} | over ${rate.toLocaleString('en')} (a TokenIssued each, plus up to 20 activity batches per gateway replica) | over ${(rate / ceiling).toFixed(1)}× the feed's most |`,
  );
  return `
## The audit feed's one lock (beside the capacity model)

\`npm run bench -- audit-feed\`: the distributed services, ${feed.events.toLocaleString('en')} \`UserRegistered\` appended to the
accounts store first, then the projector started: its users projection and its audit projection fold
the same backlog, both one event per transaction (\`StreamConsumer\`). The audit's transaction also
moves \`read.audit_feed_head\`, the row every audit write locks until it commits (positions gap-free,
the feed hash chained).

| projection (same events, same consumer) | seconds | events/s |
|---|---|---|
| users | ${feed.users.seconds} | ${feed.users.eventsPerSecond.toLocaleString('en')} |
| audit (through the feed's lock) | ${feed.audit.seconds} | ${feed.audit.eventsPerSecond.toLocaleString('en')} |

On these 2 cores both are bound by CPU (the machine stays near 100 % busy while they run). What more
cores and more projector replicas cannot raise is the lock: one holder at a time. Then, on the quiet
hub, ${feed.serial.appends} feed transactions one after another (the projector's own \`appendAuditEntries\` and a
commit; ${feed.serial.perSecond.toLocaleString('en')}/s): the row is held **${feed.serial.holdP50Ms} ms** (median, from its lock to the
commit's return), so the feed takes at most **${ceiling.toLocaleString('en')} transactions/s** here, however
many write to it (an upper bound: the projector also links the entry and moves a checkpoint under the
lock).

Every pull with \`X-Docker-Token: true\` (every docker 1.x pull) is one TokenIssued, which the feed
takes in a transaction of its own; the pulls' own entries come in the gateways' activity batches.
What the capacity model's rates ask of the feed:

| pulls/s | audit transactions/s | against the feed's ceiling |
|---|---|---|
${rows.join('\n')}

So the capacity model's first bottleneck is not CPU: **the audit feed falls behind** first (its lag grows
without bound while the pulls themselves are served), and adding projector replicas does not move it.
The way out is to fold a batch of events per feed transaction (the TokenIssued of one gateway batch
arrive together) or to split the feed per partition with a merged head; neither is built yet.
`;
}
