import { Client, Pool, PoolClient } from 'pg';
import { Counter, Registry, register } from 'prom-client';
import { PublishedEvent } from '@dockyard/contracts';
import { settledWithin } from '@dockyard/messaging';
import { assertSchemaName } from './event-store.migrations';
import { rowToStoredEvent, toPublished } from './event-store';
import { eventStoreMetrics, secondsSince } from './event-store.metrics';

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
  /**
   * Batches handed to `publish` before the first of them has resolved (`MessageBus.publishAhead`):
   * only for a publish that keeps the order of outstanding calls. Default 1.
   */
  publishAhead?: number;
  /**
   * How long `stop` waits for the pass under way and the outstanding batches
   * (`MessageBus.publishStopWaitMs`); unset: until they end. Given up, what was not checkpointed is
   * published again by the next relay (consumers take duplicates), and the pass ends with the process.
   */
  stopWaitMs?: number;
  pollIntervalMs?: number;
  logger?: RelayLogger;
  /** Where `dockyard_relay_rebased_total` is registered; prom-client's default registry if unset. */
  registry?: Registry;
}

/** Where the relay's reading stands in the open segment (the checkpoint's cursor fields). */
type Cursor = Pick<Checkpoint, 'origin' | 'floor' | 'ceiling' | 'tx' | 'position' | 'high'>;

/** Why the relay re-based its cursor: the rows come from another cluster, or the counter went back. */
export type RebaseReason = 'cluster' | 'counter';

const NAME = 'relay';
const ZERO_XID = '0';
const REBASED_METRIC = 'dockyard_relay_rebased_total';

interface Checkpoint {
  origin: string;
  floor: string;
  /** NULL: the open segment (this cluster's rows); else the exclusive end of a closed segment. */
  ceiling: string | null;
  tx: string;
  position: string;
  high: string;
  /** This cluster's system identifier and next transaction id, read with the checkpoint. */
  here: string;
  nextXid: string;
  /** Rows of another cluster above floor (a restore whose rows this segment does not cover). */
  foreign: boolean;
}

/** How soon a relay stopped by the transaction horizon looks again, first and at most. */
const HORIZON_FIRST_WAIT_MS = 2;
const HORIZON_LAST_WAIT_MS = 100;

/**
 * The relay's read of a segment's next batch: `$1` origin, `$2` floor, `$3`/`$4` the cursor
 * (transaction id, position), `$5` the batch size, and for a closed segment `$6` its ceiling. In the
 * open segment each row says whether it is below the transaction horizon. Read from the cursor on
 * through `events_relay_cursor` (outbox-relay.migrations.ts): a pass costs its batch, not the store.
 */
export const relayBatchSql = (schema: string, open: boolean): string =>
  `SELECT transaction_id::text AS tx, event_id, stream_id, stream_version, position, type, schema_version,
          data, secret, metadata, prev_hash, hash,
          ${open ? 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())' : 'true'} AS below_horizon
   FROM ${schema}.events
   WHERE origin = $1 AND position > $2
     AND (transaction_id, position) > ($3::xid8, $4::bigint)
     ${open ? '' : 'AND position < $6'}
   ORDER BY transaction_id, position
   LIMIT $5`;

/**
 * Publishes a service's committed events (its outbox) in commit order, at least once.
 *
 * Positions come from a sequence handed out before commit, so "position > last" would skip an
 * event whose transaction commits after a later-numbered one. Instead the relay orders by
 * (transaction_id, position) and reads only transactions below the oldest still running
 * (`pg_snapshot_xmin`): anything it has not seen yet can only be in a transaction above that line.
 * One replica relays at a time (session advisory lock); the others stand by.
 *
 * Re-basing after a logical restore (pg_dump/restore, a major upgrade by dump). A restore carries
 * rows, their `transaction_id` values and the position sequence over, but not the transaction
 * counter: rows appended afterwards get transaction ids from the new cluster's counter, usually
 * far below the checkpoint, and `(transaction_id, position)` order stops meaning commit order
 * between old and new rows. So the cursor lives in a *segment*: `(origin, floor, ceiling)` in
 * `relay_checkpoints`, where every row stores the `system_identifier` of the cluster it was
 * written in (`events.origin`, a column default; see outbox-relay.migrations.ts).
 *
 * - Open segment (ceiling NULL): rows of this cluster (`origin = here`) above `floor`, by
 *   (transaction_id, position) under the xmin rule above. Every row at or below `floor` is published.
 * - At start and on every pass the relay compares its checkpoint with the cluster. It re-bases when
 *   `origin <> here` or rows of another origin lie above floor (the rows come from a restore into
 *   another cluster, or back into this one; caught even once the new counter has passed the
 *   checkpoint) or when the next transaction id is at or below the
 *   checkpoint's (the counter went back under the same identifier: a restore into a physical copy
 *   of the old cluster). Re-basing closes the segment: it sets a ceiling and keeps the cursor.
 *     - 'cluster': ceiling = the first position above floor of another origin, else max+1.
 *     - 'counter': every row published so far has position <= high, and every restored row not yet
 *       published is past the cursor, so its transaction id is >= the checkpoint's >= the next
 *       transaction id; rows appended since the restore have smaller ids. So
 *       M = max(high, max position of rows with transaction_id >= next) bounds the restored rows,
 *       and rows appended since the restore are above M (the sequence came with the dump): ceiling = M+1.
 *   An error-level log line and `dockyard_relay_rebased_total{source,reason}` raise the alarm.
 * - Closed segment: its rows were restored, so all are committed and none can appear later. The
 *   relay drains those past the cursor in their old (transaction_id, position) order, which is
 *   their original commit order, with no xmin line (their ids belong to another counter). This
 *   is what publishes a restored event that had committed late - after a later-numbered one
 *   was published (its position is below `high`): "position > checkpoint position" would skip it.
 * - Drained: floor becomes the segment's highest position, and the next segment is the origin of
 *   the next row above it (another restored origin: closed again, until this cluster's rows), or
 *   this cluster's open segment with the cursor at (0, 0).
 *
 * Why nothing is skipped or repeated: rows at or below floor were all published; rows of a closed
 * segment are committed and past-or-not-past the cursor exactly as in the old cluster (its cursor
 * and order are kept); a row appended after the restore - including one whose transaction is
 * still open during the re-base and commits late - has a position above every restored row, so
 * it lands in the new open segment, which starts at (0, 0) and moves only under the xmin rule.
 * Rows are never republished by a re-base: the cursor of the closed segment is the old checkpoint.
 * The only repeats are the at-least-once ones: a batch published whose checkpoint write did not
 * happen (a crash, a lost connection) is published again.
 * Not caught: a restore into a physical copy of the old cluster (same identifier) whose counter
 * has already passed the checkpoint before the relay first runs there.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly batchSize: number;
  private readonly publishAhead: number;
  /**
   * Where the last batch handed on ended (open segment only): the stored checkpoint catches up with
   * it. Kept once the batches are durable too, since a pass may have read the checkpoint just before.
   */
  private ahead?: Cursor;
  /** Outstanding batches, oldest first: each resolves once published and checkpointed, in order. */
  private outstanding: Promise<void>[] = [];
  /** Why an outstanding batch failed: the next pass starts again from the stored checkpoint. */
  private failure?: unknown;
  private readonly pollIntervalMs: number;
  /** The last pass stopped at committed rows above the transaction horizon. */
  private behindHorizon = false;
  private readonly rebased: Counter<'source' | 'reason'>;
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
    this.publishAhead = Math.max(1, options.publishAhead ?? 1);
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    const registry = options.registry ?? register;
    this.rebased =
      (registry.getSingleMetric(REBASED_METRIC) as Counter<'source' | 'reason'> | undefined) ??
      new Counter({
        name: REBASED_METRIC,
        help: 'Times the outbox relay re-based its cursor: its rows were restored (another cluster) or the transaction counter went back',
        labelNames: ['source', 'reason'],
        registers: [registry],
      });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // A store restored before any relay ran here: the first segment is that of its oldest row.
    await this.options.pool.query(
      `INSERT INTO ${this.schema}.relay_checkpoints (name, transaction_id, position, origin)
       VALUES ($1, $2, 0, coalesce((SELECT origin FROM ${this.schema}.events ORDER BY position LIMIT 1), ${this.schema}.cluster_origin()))
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
    const wait = this.options.stopWaitMs;
    if (wait === undefined) {
      await this.loop;
      await Promise.allSettled(this.outstanding);
    } else {
      const deadline = Date.now() + wait;
      await settledWithin(wait, this.loop);
      await settledWithin(Math.max(0, deadline - Date.now()), Promise.allSettled(this.outstanding));
    }
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
    if (this.lockHolder) {
      await this.lockHolder.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
      this.lockHolder.release();
      this.lockHolder = undefined;
    }
  }

  /**
   * Committed events the relay has not published yet: rows past its checkpoint, counted (not a
   * difference of positions: rolled-back appends leave gaps). Includes committed rows that wait
   * behind an open transaction, and rows of a restore the relay has not re-based for yet.
   */
  async lag(): Promise<bigint> {
    const cp = await this.readCheckpoint();
    if (!cp) return 0n;
    // Counted as published: the segment's rows up to the cursor (below the restored-row bound
    // if the counter went back and the relay has not re-based yet). Everything else above floor is not.
    let segmentEnd = cp.ceiling;
    if (cp.ceiling === null && cp.origin === cp.here && BigInt(cp.nextXid) <= BigInt(cp.tx)) {
      segmentEnd = (BigInt(await this.restoredBound(cp)) + 1n).toString();
    }
    const { rows } = await this.options.pool.query(
      `SELECT
         (SELECT count(*) FROM ${this.schema}.events
          WHERE origin = $1 AND position > $2 AND ($3::bigint IS NULL OR position < $3)
            AND (transaction_id, position) > ($4::xid8, $5::bigint))
       + (SELECT count(*) FROM ${this.schema}.events WHERE (origin < $1 OR origin > $1) AND position > $2)
       + (SELECT count(*) FROM ${this.schema}.events WHERE origin = $1 AND $3::bigint IS NOT NULL AND position >= $3) AS lag`,
      [cp.origin, cp.floor, segmentEnd, cp.tx, cp.position],
    );
    return BigInt(rows[0].lag);
  }

  /** One pass: publishes what is safely committed. Returns how many events it published. */
  async relayOnce(): Promise<number> {
    let total = 0;
    if (this.failure !== undefined) await this.settle();
    for (;;) {
      const cp = await this.readCheckpoint();
      if (!cp) throw new Error('relay checkpoint missing: start() creates it');
      const open = cp.ceiling === null;
      const rebase: RebaseReason | undefined =
        open && (cp.origin !== cp.here || cp.foreign) ? 'cluster' : open && BigInt(cp.nextXid) <= BigInt(cp.tx) ? 'counter' : undefined;
      if ((rebase || !open) && this.outstanding.length > 0) {
        // Re-basing and closed segments work on the stored checkpoint: let it catch up first.
        await this.settle();
        continue;
      }
      if (rebase) {
        await this.rebase(cp, rebase);
        continue;
      }
      const from: Cursor = (open && this.ahead) || cp;
      const { rows } = await this.options.pool.query(relayBatchSql(this.schema, open), [
        cp.origin,
        cp.floor,
        from.tx,
        from.position,
        this.batchSize,
        ...(open ? [] : [cp.ceiling]),
      ]);
      // Ordered by transaction id, the rows below the horizon come first. A committed row above it
      // waits for an older transaction somewhere in the cluster to end: no notification will say
      // when, so the loop looks again soon instead of at the next poll.
      const ready = rows.findIndex((row) => !row.below_horizon);
      this.behindHorizon = ready >= 0;
      if (ready >= 0) rows.length = ready;
      if (rows.length === 0) {
        if (open) return total;
        await this.nextSegment(cp);
        continue;
      }
      const events = rows.map((row) => toPublished(rowToStoredEvent(row), this.options.source));
      const last = rows[rows.length - 1];
      const high = rows.reduce((max, row) => (BigInt(row.position) > max ? BigInt(row.position) : max), BigInt(from.high));
      const to: Cursor = { ...from, tx: last.tx, position: last.position, high: high.toString() };
      if (open && this.publishAhead > 1) {
        await this.handOn(events, from, to);
      } else {
        await this.options.publish(events);
        this.observeRelayLag(events);
        await this.checkpoint(from, to);
      }
      total += rows.length;
      if ((rows.length < this.batchSize || this.behindHorizon) && open) return total;
    }
  }

  /**
   * Publishes a batch without waiting for it to be durable (up to `publishAhead` outstanding): the
   * checkpoint moves past each batch only once it and every batch before it have resolved, so a
   * crash or a failed publish leaves it at the last durable batch and the rest is published again.
   */
  private async handOn(events: PublishedEvent[], from: Cursor, to: Cursor): Promise<void> {
    while (this.outstanding.length >= this.publishAhead) {
      await this.outstanding[0].catch(() => undefined);
      if (this.failure !== undefined) await this.settle();
    }
    const published = this.options.publish(events).then(() => this.observeRelayLag(events));
    published.catch(() => undefined); // awaited through `durable`; not an unhandled rejection meanwhile
    const durable = (this.outstanding.at(-1) ?? Promise.resolve()).then(() => published).then(() => this.checkpoint(from, to));
    this.outstanding.push(durable);
    this.ahead = to;
    durable.then(
      () => {
        this.outstanding = this.outstanding.filter((batch) => batch !== durable);
      },
      (error: unknown) => {
        this.failure ??= error;
      },
    );
  }

  /** Commit to publish acknowledged, per event. */
  private observeRelayLag(events: PublishedEvent[]): void {
    const published = Date.now();
    for (const event of events) eventStoreMetrics.relayLag.observe({ source: this.options.source }, secondsSince(event.metadata.occurredAt, published));
  }

  /** Waits for every outstanding batch; after a failure, forgets them (rethrowing it) so the next pass starts from the stored checkpoint. */
  private async settle(): Promise<void> {
    await Promise.allSettled(this.outstanding);
    const failure = this.failure;
    this.outstanding = [];
    this.ahead = undefined;
    this.failure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Moves the stored checkpoint from `from` to `to` (compare-and-set). */
  private async checkpoint(from: Cursor, to: Cursor): Promise<void> {
    const moved = await this.options.pool.query(
      `UPDATE ${this.schema}.relay_checkpoints SET transaction_id = $2::xid8, position = $3, high_position = $4
       WHERE name = $1 AND ${this.unchanged(5)}`,
      [NAME, to.tx, to.position, to.high, ...this.unchangedValues(from)],
    );
    if (moved.rowCount === 0) throw new Error('relay checkpoint moved under this relay');
  }

  private async readCheckpoint(): Promise<Checkpoint | undefined> {
    // The distinct origins by a skip scan of events_origin (a few index probes: clusters are few).
    const { rows } = await this.options.pool.query(
      `WITH RECURSIVE origins AS (
         (SELECT origin FROM ${this.schema}.events ORDER BY origin LIMIT 1)
         UNION ALL
         SELECT (SELECT e.origin FROM ${this.schema}.events e WHERE e.origin > o.origin ORDER BY e.origin LIMIT 1)
         FROM origins o WHERE o.origin IS NOT NULL)
       SELECT origin::text, floor_position::text AS floor, ceiling_position::text AS ceiling,
              transaction_id::text AS tx, position::text, high_position::text AS high,
              ${this.schema}.cluster_origin()::text AS here,
              pg_snapshot_xmax(pg_current_snapshot())::text AS "nextXid",
              EXISTS (SELECT 1 FROM origins o WHERE o.origin IS NOT NULL AND o.origin <> ${this.schema}.cluster_origin()
                        AND (SELECT max(e.position) FROM ${this.schema}.events e WHERE e.origin = o.origin) > c.floor_position)
                AS "foreign"
       FROM ${this.schema}.relay_checkpoints c WHERE name = $1`,
      [NAME],
    );
    return rows[0];
  }

  /** Compare-and-set on the whole checkpoint: `$n..$n+5` are the values `cp` was read with. */
  private unchanged(n: number): string {
    return `origin = $${n} AND floor_position = $${n + 1} AND ceiling_position IS NOT DISTINCT FROM $${n + 2}::bigint
      AND transaction_id = $${n + 3}::xid8 AND position = $${n + 4} AND high_position = $${n + 5}`;
  }

  private unchangedValues(cp: Cursor): unknown[] {
    return [cp.origin, cp.floor, cp.ceiling, cp.tx, cp.position, cp.high];
  }

  /**
   * Counter went back under the same identifier: the highest position a restored row can have
   * (every published row is at or below `high`; every restored unpublished row has a transaction
   * id >= the checkpoint's >= the next one, which no row appended since the restore has).
   */
  private async restoredBound(cp: Checkpoint): Promise<string> {
    const { rows } = await this.options.pool.query(
      `SELECT greatest($3::bigint, (SELECT max(position) FROM ${this.schema}.events
         WHERE origin = $1 AND position > $2 AND transaction_id >= $4::xid8))::text AS bound`,
      [cp.origin, cp.floor, cp.high, cp.nextXid],
    );
    return rows[0].bound;
  }

  /** Closes the open segment (keeping its cursor) and raises the alarm. */
  private async rebase(cp: Checkpoint, reason: RebaseReason): Promise<void> {
    let ceiling: string;
    if (reason === 'cluster') {
      const { rows } = await this.options.pool.query(
        `SELECT coalesce(
           (SELECT min(position) FROM ${this.schema}.events WHERE (origin < $1 OR origin > $1) AND position > $2),
           (SELECT max(position) + 1 FROM ${this.schema}.events),
           $2::bigint + 1)::text AS ceiling`,
        [cp.origin, cp.floor],
      );
      ceiling = rows[0].ceiling;
    } else {
      ceiling = (BigInt(await this.restoredBound(cp)) + 1n).toString();
    }
    const moved = await this.options.pool.query(
      `UPDATE ${this.schema}.relay_checkpoints SET ceiling_position = $2 WHERE name = $1 AND ${this.unchanged(3)}`,
      [NAME, ceiling, ...this.unchangedValues(cp)],
    );
    if (moved.rowCount === 0) throw new Error('relay checkpoint moved under this relay');
    this.rebased.inc({ source: this.options.source, reason });
    this.options.logger?.error(
      {
        schema: this.schema,
        source: this.options.source,
        reason,
        checkpoint: { origin: cp.origin, transactionId: cp.tx, position: cp.position, high: cp.high },
        cluster: cp.here,
        nextTransactionId: cp.nextXid,
        ceiling,
      },
      reason === 'cluster'
        ? 'relay: events were restored from another cluster; re-basing the cursor and catching up'
        : 'relay: the transaction counter is below the checkpoint (restored); re-basing the cursor and catching up',
    );
  }

  /** A closed segment is drained: move to the next one (restored rows of another origin, or this cluster's). */
  private async nextSegment(cp: Checkpoint): Promise<void> {
    const { rows: [next] } = await this.options.pool.query(
      `WITH drained AS (
         SELECT coalesce((SELECT max(position) FROM ${this.schema}.events
                          WHERE origin = $1 AND position > $2 AND position < $3), $2::bigint) AS floor)
       SELECT drained.floor::text AS floor, following.origin::text AS origin,
              (SELECT coalesce(min(e.position), (SELECT max(position) + 1 FROM ${this.schema}.events))
                 FROM ${this.schema}.events e
                WHERE (e.origin < following.origin OR e.origin > following.origin) AND e.position > drained.floor)::text AS ceiling
       FROM drained
       LEFT JOIN LATERAL (SELECT origin FROM ${this.schema}.events WHERE position > drained.floor ORDER BY position LIMIT 1)
         following ON true`,
      [cp.origin, cp.floor, cp.ceiling],
    );
    const open = next.origin === null || next.origin === cp.here;
    const moved = await this.options.pool.query(
      `UPDATE ${this.schema}.relay_checkpoints
       SET origin = $2, floor_position = $3, ceiling_position = $4, transaction_id = $5::xid8, position = 0, high_position = 0
       WHERE name = $1 AND ${this.unchanged(6)}`,
      [NAME, open ? cp.here : next.origin, next.floor, open ? null : next.ceiling, ZERO_XID, ...this.unchangedValues(cp)],
    );
    if (moved.rowCount === 0) throw new Error('relay checkpoint moved under this relay');
  }

  private async run(): Promise<void> {
    let backoff = 100;
    let horizonWait = HORIZON_FIRST_WAIT_MS;
    while (this.running) {
      try {
        this.behindHorizon = false;
        if (await this.holdLock()) {
          await this.relayOnce();
          backoff = 100;
        }
        // Behind the horizon: look again in a few ms, doubling while an old transaction stays open
        // (a long one elsewhere in the cluster costs a query per HORIZON_LAST_WAIT_MS, not a spin).
        if (this.behindHorizon) {
          await this.sleep(horizonWait);
          horizonWait = Math.min(horizonWait * 2, HORIZON_LAST_WAIT_MS);
          continue;
        }
        horizonWait = HORIZON_FIRST_WAIT_MS;
        await this.sleep(this.pollIntervalMs);
      } catch (error) {
        if (!this.running) return; // stopped under it (stopWaitMs): what it did not checkpoint is published again
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
      // The lock lives as long as this session: a lost connection (PostgreSQL restarting) loses it,
      // and another replica may take over; this one must win it again before its next pass.
      client.on('error', () => {
        if (this.lockHolder !== client) return;
        this.lockHolder = undefined;
        client.release(true);
      });
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
