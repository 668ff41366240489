import { Pool, PoolClient } from 'pg';

/** A delivered message as its inbox keeps it. */
export interface InboxMessage<T> {
  message_id: string;
  payload: T;
}

/**
 * A table of delivered messages that wait for an inbox writer's pass (inbox-writer.ts), one row per
 * message id: the counts' `read.activity_inbox` and the audit's `read.audit_activity_inbox`. Each
 * keeps its own payload column; the queries on them are the same.
 */
export class MessageInboxTable<T> {
  constructor(
    private readonly pool: Pool,
    /** Schema-qualified, from the code (never from input). */
    private readonly table: string,
    private readonly payloadColumn: string,
  ) {}

  /** Keeps a delivered message; a replay of its id keeps nothing more. */
  async keep(messageId: string, payload: T): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.table} (message_id, ${this.payloadColumn}) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      messageId,
      JSON.stringify(payload),
    ]);
  }

  /** The oldest messages no other writer holds (or only `messageId`), locked until `client`'s transaction ends. */
  async take(client: PoolClient, limit: number, messageId?: string): Promise<InboxMessage<T>[]> {
    const { rows } = await client.query<InboxMessage<T>>(
      `SELECT message_id, ${this.payloadColumn} AS payload FROM ${this.table}
       WHERE $2::text IS NULL OR message_id = $2
       ORDER BY received_at, message_id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit, messageId ?? null],
    );
    return rows;
  }

  /** The oldest messages, unlocked: what a failed batch retries one at a time. */
  async oldest(limit: number): Promise<InboxMessage<T>[]> {
    const { rows } = await this.pool.query<InboxMessage<T>>(
      `SELECT message_id, ${this.payloadColumn} AS payload FROM ${this.table} ORDER BY received_at, message_id LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** Removes messages: in `client`'s transaction after a batch folded them, or alone (one dropped). */
  async remove(client: Pool | PoolClient, messageIds: string[]): Promise<void> {
    await client.query(`DELETE FROM ${this.table} WHERE message_id = ANY($1::text[])`, [messageIds]);
  }
}
