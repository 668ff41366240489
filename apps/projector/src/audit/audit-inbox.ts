import { Pool, PoolClient } from 'pg';
import { PROJECTIONS, PublishedEvent, RepositoryActivity, TOKENS_EVENTS } from '@dockyard/contracts';
import { GENESIS_HASH, eventStoreMetrics, inTransaction, isTransientError, secondsSince } from '@dockyard/eventstore';
import { AuditedActivity, auditedActivities, freshActivityEntries } from './audit-activity.projection';
import { NewAuditEntry, appendAuditEntries, linkAllToRepositories } from './audit-feed';
import { AuditFeedTurn } from './audit-feed-turn';
import { InboxWriter, InboxWriterOptions } from '../inbox-writer';
import { InboxMessage, MessageInboxTable } from '../message-inbox';
import { auditEntryOf } from './audit.projection';

interface InboxRow {
  stream_id: string;
  stream_version: number;
  event: PublishedEvent;
}

type ActivityRow = InboxMessage<AuditedActivity[]>;

/**
 * What one batch takes: the rows that wait, or only one row (a row alone, after its batch failed),
 * or one delivered message that was never kept (folded at once: `InboxWriter.admit`).
 */
type Only = { event: InboxRow } | { activity: ActivityRow } | { delivered: ActivityRow };

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
 * audit at that rate, below the pulls of a hub; one per activity message (each gateway replica sends
 * 20 a second, however busy) would bound it by the number of gateway replicas. So a delivered
 * TokenIssued is only written to `read.audit_inbox`, and an activity message's pulls, pushes and
 * logins to `read.audit_activity_inbox` when the writer is busy (a quiet writer puts a message in
 * the feed at once: `InboxWriter.admit`), idempotent, no feed lock, before the delivery is
 * acknowledged, and a writer moves both inboxes into the feed in batches, each one transaction:
 * - the entries take consecutive positions in one head update;
 * - they are linked under their repositories' names;
 * - the audit's checkpoints move;
 * - the rows leave the inbox.
 *
 * A row is applied once: the writer skips a stream whose audit checkpoint is already there, and an
 * activity whose id the feed holds. The number of feed transactions then follows the writer's
 * passes, not the messages: while one pass holds the feed, the messages that arrive wait for the
 * next together. A crash leaves rows in the inbox, and the next pass (on the next delivery, or on
 * the writer's poll) takes them. Writers of several projector replicas take disjoint rows (`SKIP LOCKED`).
 */
export class AuditInbox extends InboxWriter {
  private readonly activityInbox: MessageInboxTable<AuditedActivity[]>;

  constructor(
    private readonly pool: Pool,
    /** Where a row that fails on its own goes: the StreamConsumer's way, which retries it, then parks it. */
    private readonly fallback: (event: PublishedEvent) => Promise<unknown>,
    private readonly options: InboxWriterOptions & {
      batchSize?: number;
      activityBatchSize?: number;
      turn?: AuditFeedTurn;
      /**
       * Which of the two inboxes this writer's passes take (both by default). The projector's own
       * writer takes the TokenIssued rows and its activity thread's writer the activity messages
       * (audit-activity-thread.ts), so a pull's hashing never runs on the process's main thread.
       */
      takes?: { events: boolean; activity: boolean };
    } = {},
  ) {
    super('audit inbox', options);
    this.activityInbox = new MessageInboxTable(pool, 'read.audit_activity_inbox', 'activities');
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 500;
  }

  private get takes(): { events: boolean; activity: boolean } {
    return this.options.takes ?? { events: true, activity: true };
  }

  /** Activity messages a batch takes: each holds up to a gateway's 500 activities. */
  private get activityBatchSize(): number {
    return this.options.activityBatchSize ?? 50;
  }

  /** Keeps the event for the feed: resolved once it is durable, when the delivery may be acknowledged. */
  async receive(event: PublishedEvent): Promise<void> {
    await this.pool.query(
      `INSERT INTO read.audit_inbox (stream_id, stream_version, event) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [event.streamId, event.streamVersion, JSON.stringify(event)],
    );
    this.kept();
  }

  /**
   * Takes a message's audited activities into the feed, at once or through the inbox
   * (`InboxWriter.admit`; nothing for a message of image fetches only): resolved once they are in
   * the feed or kept in the inbox, when the delivery may be acknowledged.
   */
  async receiveActivity(activity: RepositoryActivity): Promise<void> {
    const audited = auditedActivities(activity);
    if (audited.length === 0) return;
    await this.admit(
      async () => void (await this.writeBatch({ delivered: { message_id: activity.activityId, payload: audited } })),
      () => this.activityInbox.keep(activity.activityId, audited),
    );
  }

  /**
   * A batch; if it fails for anything but a transient error, its rows one by one, so that one row
   * that cannot be applied stops neither the others nor the inbox: alone, an event takes the
   * fallback, and an activity message is dropped with an error (activity is best effort). Whether
   * the batch was full (more may wait).
   */
  protected async batch(): Promise<boolean> {
    try {
      return await this.writeBatch();
    } catch (error) {
      if (isTransientError(error)) throw error;
    }
    const { rows } = this.takes.events
      ? await this.pool.query<InboxRow>(`SELECT stream_id, stream_version, event FROM read.audit_inbox ${OLDEST_FIRST} LIMIT $1`, [this.batchSize])
      : { rows: [] as InboxRow[] };
    await this.oneByOne(
      rows,
      (row) => this.writeBatch({ event: row }),
      async (row) => {
        await this.fallback(row.event);
        await this.pool.query(`DELETE FROM read.audit_inbox WHERE stream_id = $1 AND stream_version = $2`, [row.stream_id, row.stream_version]);
      },
    );
    const messages = this.takes.activity ? await this.activityInbox.oldest(this.activityBatchSize) : [];
    await this.oneByOne(
      messages,
      (row) => this.writeBatch({ activity: row }),
      async (row, error) => {
        this.options.logger?.error({ err: error, messageId: row.message_id }, 'audit inbox: activity message cannot be put in the feed; dropped');
        await this.activityInbox.remove(this.pool, [row.message_id]);
      },
    );
    return rows.length >= this.batchSize || messages.length >= this.activityBatchSize;
  }

  /** One batch in one transaction (the oldest rows of both inboxes, or only `only`); whether it was full. */
  private async writeBatch(only?: Only): Promise<boolean> {
    // In its process's turn with the audit's other feed writes (a writer alone, as in a test, needs none).
    const write = () => this.writeBatchNow(only);
    return this.options.turn ? this.options.turn.take(write) : write();
  }

  private async writeBatchNow(only?: Only): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const rows = await this.eventsOf(client, only);
      const messages = await this.messagesOf(client, only);
      if (rows.length === 0 && messages.length === 0) return false;
      const fresh = await this.unappliedEvents(client, rows);
      const tokenEntries = fresh.map(auditEntryOf);
      const activityEntries = await freshActivityEntries(client, messages.flatMap((message) => message.payload));
      const entries: NewAuditEntry[] = [...tokenEntries, ...activityEntries];
      if (entries.length > 0) {
        // The head's lock is taken here, after the inbox rows': every audit write takes it before
        // any row of the repositories it tracks, so the order is the same everywhere.
        const seqs = await appendAuditEntries(client, entries);
        const repositoryIds = [...new Set(tokenEntries.flatMap((entry) => (entry.repository_id ? [entry.repository_id] : [])))];
        if (repositoryIds.length > 0) {
          await client.query(`INSERT INTO read.audit_repositories (repository_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [repositoryIds]);
        }
        await linkAllToRepositories(
          client,
          entries.flatMap((entry, index) => (entry.repository_id ? [{ seq: seqs[index], repositoryId: entry.repository_id }] : [])),
        );
      }
      if (fresh.length > 0) {
        await client.query(
          `INSERT INTO read.consumer_checkpoints (consumer, stream_id, stream_version, hash)
           SELECT $1, s, v, h FROM unnest($2::text[], $3::int[], $4::text[]) AS c(s, v, h)
           ON CONFLICT (consumer, stream_id) DO NOTHING`,
          [PROJECTIONS.audit, fresh.map((e) => e.streamId), fresh.map((e) => e.streamVersion), fresh.map((e) => e.hash || null)],
        );
      }
      if (rows.length > 0) {
        await client.query(
          `DELETE FROM read.audit_inbox WHERE (stream_id, stream_version) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
          [rows.map((row) => row.stream_id), rows.map((row) => row.stream_version)],
        );
      }
      // A message folded as delivered was never kept.
      if (messages.length > 0 && !(only && 'delivered' in only)) {
        await this.activityInbox.remove(client, messages.map((m) => m.message_id));
      }
      const now = Date.now();
      for (const event of fresh) eventStoreMetrics.projectionLag.observe({ consumer: PROJECTIONS.audit }, secondsSince(event.metadata?.occurredAt, now));
      return rows.length >= this.batchSize || messages.length >= this.activityBatchSize;
    });
  }

  /** The TokenIssued rows a batch takes: the oldest that wait, only the one named, or none. */
  private eventsOf(client: PoolClient, only?: Only): Promise<InboxRow[]> {
    if (!only) return this.takes.events ? this.takeEvents(client, this.batchSize) : Promise.resolve([]);
    return 'event' in only ? this.takeEvents(client, 1, only.event) : Promise.resolve([]);
  }

  /** The activity messages a batch takes: the oldest that wait, only the one named (kept or delivered), or none. */
  private async messagesOf(client: PoolClient, only?: Only): Promise<ActivityRow[]> {
    if (!only) return this.takes.activity ? this.activityInbox.take(client, this.activityBatchSize) : [];
    if ('delivered' in only) return [only.delivered];
    return 'activity' in only ? this.activityInbox.take(client, 1, only.activity.message_id) : [];
  }

  /** The oldest TokenIssued rows no other writer holds (or only `row`), locked until this batch commits. */
  private async takeEvents(client: PoolClient, limit: number, row?: InboxRow): Promise<InboxRow[]> {
    const { rows } = await client.query<InboxRow>(
      `SELECT stream_id, stream_version, event FROM read.audit_inbox
       WHERE $2::text IS NULL OR (stream_id = $2 AND stream_version = $3)
       ${OLDEST_FIRST} LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit, row?.stream_id ?? null, row?.stream_version ?? null],
    );
    return rows;
  }

  /** The events of `rows` whose streams the audit has not applied (a replay finds its checkpoint). */
  private async unappliedEvents(client: PoolClient, rows: InboxRow[]): Promise<PublishedEvent[]> {
    if (rows.length === 0) return [];
    const { rows: applied } = await client.query<{ stream_id: string }>(
      `SELECT stream_id FROM read.consumer_checkpoints WHERE consumer = $1 AND stream_id = ANY($2::text[])`,
      [PROJECTIONS.audit, rows.map((row) => row.stream_id)],
    );
    const done = new Set(applied.map((row) => row.stream_id));
    return rows.filter((row) => !done.has(row.stream_id)).map((row) => row.event);
  }
}
