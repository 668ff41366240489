import { Pool } from 'pg';
import { PROJECTIONS, PublishedEvent, TOKENS_EVENTS } from '@dockyard/contracts';
import { GENESIS_HASH, eventStoreMetrics, inTransaction, isTransientError, secondsSince } from '@dockyard/eventstore';
import { appendAuditEntries, linkAllToRepositories } from './audit-feed';
import { AuditFeedTurn } from './audit-feed-turn';
import { auditEntryOf } from './audit.projection';

interface InboxLogger {
  error(obj: object, msg?: string): void;
}

interface InboxRow {
  stream_id: string;
  stream_version: number;
  event: PublishedEvent;
}

/** Rows leave the inbox oldest first. */
const OLDEST_FIRST = 'ORDER BY received_at, stream_id';

/**
 * Whether an event takes the inbox's way into the feed: a TokenIssued that is the first and only
 * version of its own stream (one per logged-in pull with `X-Docker-Token: true`, thousands a second
 * at hub scale; anonymous pulls' tokens are only signed). Such an event has no earlier version to
 * wait for, and it chains onto the genesis hash. Its entry needs none of the per-repository facts
 * that other events read and change. Any other event, or a TokenIssued that breaks those rules,
 * takes the StreamConsumer's way, one event per transaction, with its gap repair, parking and alarms.
 */
export const batchedIntoFeed = (event: PublishedEvent): boolean =>
  event.type === TOKENS_EVENTS.TokenIssued && event.streamVersion === 1 && (!event.hash || event.prevHash === GENESIS_HASH);

/**
 * The audit feed takes one transaction at a time: each holds `read.audit_feed_head` until it commits
 * (docs/benchmarks.md, "The audit feed's one lock"). One transaction per TokenIssued would bound the
 * audit at that rate, below the pulls of a hub. So a delivered TokenIssued is only written to
 * `read.audit_inbox` (idempotent, no feed lock) before the delivery is acknowledged, and a writer
 * moves the inbox into the feed in batches, each one transaction:
 * - the entries take consecutive positions in one head update;
 * - they are linked under their repositories' names;
 * - the audit's checkpoints move;
 * - the rows leave the inbox.
 *
 * A row is applied once: the writer skips a stream whose audit checkpoint is already there. A crash
 * leaves rows in the inbox, and the next pass (on the next delivery, or on the writer's poll) takes
 * them. Writers of several projector replicas take disjoint rows (`SKIP LOCKED`).
 */
export class AuditInbox {
  private running: Promise<void> | undefined;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    /** Where a row that fails on its own goes: the StreamConsumer's way, which retries it, then parks it. */
    private readonly fallback: (event: PublishedEvent) => Promise<unknown>,
    private readonly options: { batchSize?: number; pollMs?: number; logger?: InboxLogger; turn?: AuditFeedTurn } = {},
  ) {}

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  /** Keeps the event for the feed: resolved once it is durable, when the delivery may be acknowledged. */
  async receive(event: PublishedEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO read.audit_inbox (stream_id, stream_version, event) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [event.streamId, event.streamVersion, JSON.stringify(event)],
    );
    this.wake();
  }

  /** Polls for rows another replica (or a crash) left, and moves what is there now. */
  start(): void {
    this.poll = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.poll.unref();
    this.wake();
  }

  /** Stops polling and waits for the batch in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    await this.running;
  }

  /** Resolves once every row that was in the inbox when it was called is in the feed (or the writer failed). */
  async drained(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  private wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.writeAll().finally(() => {
      this.running = undefined;
    });
  }

  private async writeAll(): Promise<void> {
    try {
      do {
        this.again = false;
        // A batch shorter than the limit took every row it could: another pass would only open a
        // transaction to find the inbox empty (half of the inbox's transactions in a push run). Rows received
        // meanwhile set `again`; rows another replica holds are its own to write.
        let taken = 0;
        do taken = await this.writeOrIsolate();
        while (taken >= this.batchSize && !this.closed);
      } while (this.again && !this.closed);
    } catch (error) {
      // PostgreSQL away: the rows stay, and the next delivery or poll retries.
      this.options.logger?.error({ err: error }, 'audit inbox: batch not written; the next pass retries');
    }
  }

  /**
   * A batch; if it fails for anything but a transient error, its rows one by one, so that one row
   * that cannot be applied stops neither the others nor the inbox: alone, it takes the fallback.
   */
  private async writeOrIsolate(): Promise<number> {
    try {
      return await this.writeBatch(this.batchSize);
    } catch (error) {
      if (isTransientError(error)) throw error;
    }
    const { rows } = await this.pool.query<InboxRow>(
      `SELECT stream_id, stream_version, event FROM read.audit_inbox ${OLDEST_FIRST} LIMIT $1`,
      [this.batchSize],
    );
    for (const row of rows) {
      try {
        await this.writeBatch(1, row);
      } catch (error) {
        if (isTransientError(error)) throw error;
        await this.fallback(row.event);
        await this.pool.query(`DELETE FROM read.audit_inbox WHERE stream_id = $1 AND stream_version = $2`, [row.stream_id, row.stream_version]);
      }
    }
    return rows.length;
  }

  /** One batch in one transaction (the oldest rows, or only `only`); how many rows it took from the inbox. */
  private async writeBatch(limit: number, only?: InboxRow): Promise<number> {
    // In its process's turn with the audit's other feed writes (a writer alone, as in a test, needs none).
    const write = () => this.writeBatchNow(limit, only);
    return this.options.turn ? this.options.turn.take(write) : write();
  }

  private async writeBatchNow(limit: number, only?: InboxRow): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<InboxRow>(
        `SELECT stream_id, stream_version, event FROM read.audit_inbox
         WHERE $2::text IS NULL OR (stream_id = $2 AND stream_version = $3)
         ${OLDEST_FIRST} LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit, only?.stream_id ?? null, only?.stream_version ?? null],
      );
      if (rows.length === 0) return 0;
      const streams = rows.map((row) => row.stream_id);
      const versions = rows.map((row) => row.stream_version);
      const { rows: applied } = await client.query<{ stream_id: string }>(
        `SELECT stream_id FROM read.consumer_checkpoints WHERE consumer = $1 AND stream_id = ANY($2::text[])`,
        [PROJECTIONS.audit, streams],
      );
      const done = new Set(applied.map((row) => row.stream_id));
      const fresh = rows.filter((row) => !done.has(row.stream_id)).map((row) => row.event);
      if (fresh.length > 0) {
        const entries = fresh.map(auditEntryOf);
        // The head's lock is taken here, after the inbox rows': every audit write takes it before
        // any row of the repositories it tracks, so the order is the same everywhere.
        const seqs = await appendAuditEntries(client, entries);
        const repositoryIds = [...new Set(entries.flatMap((entry) => (entry.repository_id ? [entry.repository_id] : [])))];
        await client.query(`INSERT INTO read.audit_repositories (repository_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [repositoryIds]);
        await linkAllToRepositories(
          client,
          entries.flatMap((entry, index) => (entry.repository_id ? [{ seq: seqs[index], repositoryId: entry.repository_id }] : [])),
        );
        await client.query(
          `INSERT INTO read.consumer_checkpoints (consumer, stream_id, stream_version, hash)
           SELECT $1, s, v, h FROM unnest($2::text[], $3::int[], $4::text[]) AS c(s, v, h)
           ON CONFLICT (consumer, stream_id) DO NOTHING`,
          [PROJECTIONS.audit, fresh.map((e) => e.streamId), fresh.map((e) => e.streamVersion), fresh.map((e) => e.hash || null)],
        );
      }
      await client.query(
        `DELETE FROM read.audit_inbox WHERE (stream_id, stream_version) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
        [streams, versions],
      );
      const now = Date.now();
      for (const event of fresh) eventStoreMetrics.projectionLag.observe({ consumer: PROJECTIONS.audit }, secondsSince(event.metadata?.occurredAt, now));
      return rows.length;
    });
  }
}
