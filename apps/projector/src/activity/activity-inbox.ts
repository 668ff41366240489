import { Pool } from 'pg';
import { RepositoryActivity } from '@dockyard/contracts';
import { inTransaction, isTransientError } from '@dockyard/eventstore';
import { InboxWriter, InboxWriterOptions } from '../inbox-writer';
import { InboxMessage, MessageInboxTable } from '../message-inbox';
import { foldsAnything, projectActivities } from './activity.projection';

/**
 * The counts' way in for `dockyard.activity`. Each gateway replica sends one message every 50 ms
 * however busy it is, and counting a message announces the new counters to the gateways' hot views
 * with a NOTIFY inside its transaction: one such commit per message would put the number of gateway
 * replicas against PostgreSQL's one notification lock (3,000 commits a second at the capacity
 * model's 150 replicas, about what that lock lets through on the bench machine). So a message
 * delivered while the writer is busy is only written to `read.activity_inbox` (one row per message
 * id, idempotent) before the delivery is acknowledged, and the writer's next pass folds the messages
 * that wait, up to `batchSize`, in one transaction: one UPDATE of the counters, one announcement,
 * the image fetches, the rows deleted. A message delivered to a quiet writer is folded at once
 * (`InboxWriter.admit`). Commits then follow the writer's passes, not the messages.
 *
 * Counting stays once per message id (`read.counted_activity`, in the same transaction). Writers of
 * several projector replicas take disjoint rows (`SKIP LOCKED`). A batch that fails for anything but
 * a transient error is retried message by message, and a message that fails alone is dropped with an
 * error: activity is best effort (DESIGN §3), and retrying it would only fail again.
 */
export class ActivityInbox extends InboxWriter {
  private readonly inbox: MessageInboxTable<RepositoryActivity>;

  constructor(
    private readonly pool: Pool,
    private readonly options: InboxWriterOptions & { batchSize?: number } = {},
  ) {
    super('activity inbox', options);
    this.inbox = new MessageInboxTable(pool, 'read.activity_inbox', 'activity');
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 50;
  }

  /**
   * Takes the message into the counts, at once or through the inbox (`InboxWriter.admit`): resolved
   * once it is counted or kept, when the delivery may be acknowledged.
   */
  async receive(activity: RepositoryActivity): Promise<void> {
    if (!foldsAnything(activity)) return; // kinds this version does not fold
    await this.admit(
      () => inTransaction(this.pool, (client) => projectActivities(client, [activity])),
      () => this.inbox.keep(activity.activityId, activity),
    );
  }

  /** A batch; if it fails for anything but a transient error, its messages one by one. Whether it was full. */
  protected async batch(): Promise<boolean> {
    try {
      return await this.fold();
    } catch (error) {
      if (isTransientError(error)) throw error;
    }
    const rows = await this.inbox.oldest(this.batchSize);
    await this.oneByOne(
      rows,
      (row) => this.fold(row),
      async (row, error) => {
        this.options.logger?.error({ err: error, messageId: row.message_id }, 'activity inbox: message cannot be folded; dropped');
        await this.inbox.remove(this.pool, [row.message_id]);
      },
    );
    return rows.length >= this.batchSize;
  }

  /** The oldest messages no other writer holds (or only `only`) folded in one transaction; whether the batch was full. */
  private fold(only?: InboxMessage<RepositoryActivity>): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const rows = await this.inbox.take(client, only ? 1 : this.batchSize, only?.message_id);
      if (rows.length === 0) return false;
      await projectActivities(client, rows.map((row) => row.payload));
      await this.inbox.remove(client, rows.map((row) => row.message_id));
      return rows.length >= this.batchSize;
    });
  }
}
