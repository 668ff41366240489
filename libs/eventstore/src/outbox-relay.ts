import { Client, Pool, PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';
import { assertSchemaName } from './event-store.migrations';
import { rowToStoredEvent, toPublished } from './event-store';

export interface RelayLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboxRelayOptions {
  pool: Pool;
  /** Used for the LISTEN connection (a pool client cannot hold LISTEN across releases). */
  connectionString?: string;
  schema: string;
  source: string;
  publish: (events: PublishedEvent[]) => Promise<void>;
  batchSize?: number;
  pollIntervalMs?: number;
  logger?: RelayLogger;
}

const NAME = 'relay';
const ZERO_XID = '0';

/**
 * Publishes a service's committed events (its outbox) in commit order, at least once.
 *
 * Positions come from a sequence handed out before commit, so "position > last" would skip an
 * event whose transaction commits after a later-numbered one. Instead the relay orders by
 * (transaction_id, position) and reads only transactions below the oldest still running
 * (`pg_snapshot_xmin`): anything it has not seen yet can only be in a transaction above that line.
 * One replica relays at a time (session advisory lock); the others stand by.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private wake?: () => void;
  /** Set by a notification that arrived while a pass was running, so the next sleep is skipped. */
  private woken = false;
  private loop?: Promise<void>;
  private listener?: Client;
  private lockHolder?: PoolClient;

  constructor(private readonly options: OutboxRelayOptions) {
    this.schema = assertSchemaName(options.schema);
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.options.pool.query(
      `INSERT INTO ${this.schema}.relay_checkpoints (name, transaction_id, position) VALUES ($1, $2, 0)
       ON CONFLICT (name) DO NOTHING`,
      [NAME, ZERO_XID],
    );
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.nudge();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    if (this.lockHolder) {
      await this.lockHolder.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      this.lockHolder.release();
      this.lockHolder = undefined;
    }
  }

  /** Events committed or pending that the relay has not published yet (by position). */
  async lag(): Promise<bigint> {
    const { rows } = await this.options.pool.query(
      `SELECT (SELECT coalesce(max(position), 0) FROM ${this.schema}.events) - position AS lag
       FROM ${this.schema}.relay_checkpoints WHERE name = $1`,
      [NAME],
    );
    return BigInt(rows[0]?.lag ?? 0);
  }

  /** One pass: publishes what is safely committed. Returns how many events it published. */
  async relayOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const { rows: [checkpoint] } = await this.options.pool.query(
        `SELECT transaction_id::text AS tx, position FROM ${this.schema}.relay_checkpoints WHERE name = $1`,
        [NAME],
      );
      const { rows } = await this.options.pool.query(
        `SELECT transaction_id::text AS tx, event_id, stream_id, stream_version, position, type, schema_version,
                data, secret, metadata, prev_hash, hash
         FROM ${this.schema}.events
         WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
           AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY transaction_id, position
         LIMIT $3`,
        [checkpoint.tx, checkpoint.position, this.batchSize],
      );
      if (rows.length === 0) return total;
      await this.options.publish(rows.map((row) => toPublished(rowToStoredEvent(row), this.options.source)));
      const last = rows[rows.length - 1];
      const moved = await this.options.pool.query(
        `UPDATE ${this.schema}.relay_checkpoints SET transaction_id = $2::xid8, position = $3
         WHERE name = $1 AND transaction_id = $4::xid8 AND position = $5`,
        [NAME, last.tx, last.position, checkpoint.tx, checkpoint.position],
      );
      if (moved.rowCount === 0) throw new Error('relay checkpoint moved under this relay');
      total += rows.length;
      if (rows.length < this.batchSize) return total;
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (await this.holdLock()) {
          await this.relayOnce();
          backoff = 100;
        }
        await this.sleep(this.pollIntervalMs);
      } catch (error) {
        this.options.logger?.error({ err: error, schema: this.schema }, 'relay pass failed; retrying');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async holdLock(): Promise<boolean> {
    if (this.lockHolder) return true;
    const client = await this.options.pool.connect();
    const { rows } = await client
      .query('SELECT pg_try_advisory_lock(hashtext($1)) AS held', [`dockyard-relay-${this.schema}`])
      .catch((error) => {
        client.release();
        throw error;
      });
    if (rows[0].held) {
      client.on('error', () => undefined);
      this.lockHolder = client;
      return true;
    }
    client.release();
    return false;
  }

  private async listen(): Promise<void> {
    const connectionString =
      this.options.connectionString ?? (this.options.pool as unknown as { options: { connectionString?: string } }).options.connectionString;
    const listener = new Client({ connectionString });
    listener.on('notification', () => this.nudge());
    listener.on('error', (error) => {
      this.options.logger?.warn({ err: error }, 'relay LISTEN connection lost; reconnecting');
      this.listener = undefined;
      setTimeout(() => this.running && this.listen().catch(() => undefined), 500);
    });
    await listener.connect();
    await listener.query(`LISTEN "${this.schema}_events"`);
    this.listener = listener;
  }

  private nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
