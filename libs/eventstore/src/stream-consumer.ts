import { Pool, PoolClient, QueryResult } from 'pg';
import { Counter } from 'prom-client';
import { PublishedEvent } from '@dockyard/contracts';
import { processCounter } from '@dockyard/messaging';
import { StreamGapError } from './consumer-checkpoint';
import { assertSchemaName } from './event-store.migrations';
import { eventStoreMetrics, secondsSince } from './event-store.metrics';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { appliedChangePayload } from './read-model-changes';

/** A consumer's effect of one event, run in the transaction that moves its checkpoint. */
export type StreamEffect = (client: PoolClient, event: PublishedEvent) => Promise<void>;

/**
 * Reads versions `fromVersion..toVersion` of a stream back from the service that owns it (its
 * `<service>.read-stream` command), in their published form.
 */
export type StreamReader = (
  source: string,
  streamId: string,
  fromVersion: number,
  toVersion: number,
) => Promise<PublishedEvent[]>;

export interface ConsumerLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StreamConsumerOptions {
  pool: Pool;
  /** The consumer's schema: its `consumer_checkpoints` and `parked_events`. */
  schema: string;
  /** The checkpoint name (a projection, `known-repositories`, `revocations`). */
  consumer: string;
  effect: StreamEffect;
  /** Repairs a gap from the owner; without it a gap parks the event. */
  readStream?: StreamReader;
  logger?: ConsumerLogger;
  /** Attempts of an event whose effect fails with an error that is not transient, before it is parked. */
  maxAttempts?: number;
  /** Wait after the first failed attempt; doubled after each. */
  backoffMs?: number;
  /**
   * Announce every applied event on this NOTIFY channel (`read-model-changes.ts`), in the
   * transaction that moves the checkpoint: the projector's read models, whose readers (the
   * gateways) keep hot views and wait for their writes. Other consumers leave it unset and pay nothing.
   */
  notifyChannel?: string;
  /**
   * Events the effect does nothing with (a repository's creation, for what revokes tokens). Such an
   * event, when it is its stream's next and nothing of the stream is parked, moves the checkpoint
   * in one statement instead of a transaction around a no-op; anything else takes the usual path.
   * Not with `notifyChannel`.
   */
  passesOver?: (event: PublishedEvent) => boolean;
}

/** What became of a delivered event. */
export type DeliveryOutcome = 'applied' | 'repaired' | 'duplicate' | 'held' | 'parked';

export interface ParkedEvent {
  consumer: string;
  streamId: string;
  streamVersion: number;
  event: PublishedEvent;
  error: string;
  /** Parked only because an earlier version of its stream is parked (never attempted). */
  held: boolean;
  attempts: number;
  parkedAt: Date;
}

export interface RetryReport {
  /** Parked events applied now (repaired versions not counted). */
  applied: number;
  /** Events of the consumer still parked after the retry. */
  stillParked: number;
}

/** An error that retrying cannot fix: the event is parked at once. */
export class PermanentConsumerError extends Error {
  readonly permanent = true;
}

/** Events read back from the owner do not chain onto what was applied (or onto the event that revealed the gap). */
export class ChainBrokenError extends PermanentConsumerError {
  constructor(message: string) {
    super(message);
    this.name = 'ChainBrokenError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin shutdown
  '57P02', // crash shutdown
  '57P03', // cannot connect now (starting up)
  '53300', // too many connections
  '40001', // serialization failure
  '40P01', // deadlock detected
  'unavailable', // DomainError of the bus: the owner of a stream is not reachable now
]);
const TRANSIENT_MESSAGE =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end|not queryable/i;

/**
 * Errors that retrying the same event fixes by itself: PostgreSQL (or the stream's owner) is not
 * reachable now. They are retried for ever by the bus; everything else is a bug or a poison event.
 */
export function isTransientError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (TRANSIENT_CODES.has(code) || /^08/.test(code)) return true;
  return TRANSIENT_MESSAGE.test(typeof e?.message === 'string' ? e.message : '');
}

const counter = (name: string, help: string): Counter<'consumer'> => processCounter({ name, help, labelNames: ['consumer'] });

/** Prometheus counters (default registry), one series per consumer. */
export const consumerMetrics = {
  parked: counter(
    'dockyard_consumer_parked_events_total',
    'Events parked after failing (held ones not counted)',
  ),
  held: counter(
    'dockyard_consumer_held_events_total',
    'Events parked behind an earlier parked event of their stream',
  ),
  gaps: counter(
    'dockyard_consumer_stream_gaps_total',
    'Events that arrived before a version of their stream that was never applied',
  ),
  repaired: counter(
    'dockyard_consumer_repaired_events_total',
    'Missing versions read back from their owner and applied',
  ),
};

type Step =
  { kind: 'applied' | 'duplicate' | 'held' } | { kind: 'gap'; applied: number; appliedHash: string | null };

/** A stream version as a SQL literal: only a positive integer can be one. */
const safeVersion = (version: number): string => {
  if (!Number.isSafeInteger(version) || version < 1) throw new PermanentConsumerError(`not a stream version: ${version}`);
  return String(version);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${error.name}: ${error.message}`
    : typeof error === 'string'
      ? error
      : JSON.stringify(error);

/**
 * One consumer of published events, applied per stream strictly in version order and at most once:
 *
 * - version ≤ checkpoint: a redelivery, nothing happens;
 * - version = checkpoint + 1: the effect and the checkpoint move in one transaction;
 * - version > checkpoint + 1: a gap. Alarmed (log, metric), then repaired: the missing versions are
 *   read back from the owning service, checked to chain (hash by hash) from the last applied event
 *   to this one, and applied in order before this one;
 * - an effect that throws a transient error (PostgreSQL down) is rethrown: the bus retries it for
 *   ever. Any other error is retried `maxAttempts` times with backoff, then the event is **parked**
 *   (`<schema>.parked_events`, log, metric) and the handler returns, so the partition moves on;
 * - once a stream has a parked event, its later events are parked behind it (`held`) untouched,
 *   until `retryParked` applies the stream's parked events in order.
 */
export class StreamConsumer {
  private readonly s: string;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: StreamConsumerOptions) {
    this.s = assertSchemaName(options.schema);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? 50;
    // A read model announces every applied event to the gateways waiting on it; passing over
    // announces nothing, so the two do not go together.
    if (options.passesOver && options.notifyChannel) throw new Error('a consumer that announces its changes passes over nothing');
  }

  get consumer(): string {
    return this.options.consumer;
  }

  /** Handles one delivered event. Throws only transient errors (the bus retries them). */
  async handle(event: PublishedEvent): Promise<DeliveryOutcome> {
    const outcome = this.options.passesOver?.(event) && (await this.passOver(event)) ? 'applied' : await this.deliver(event, false);
    if (outcome === 'applied' || outcome === 'repaired') {
      eventStoreMetrics.projectionLag.observe({ consumer: this.consumer }, secondsSince(event.metadata?.occurredAt));
    }
    return outcome;
  }

  /**
   * Retries the consumer's parked events (or one stream's), each stream in version order, stopping
   * at a stream's first event that fails again (it is parked again with the new error, and the
   * stream's later events stay held). The admin command behind `<service>.retry-parked`.
   */
  async retryParked(filter: { streamId?: string } = {}): Promise<RetryReport> {
    const { rows } = await this.options.pool.query(
      `SELECT DISTINCT stream_id FROM ${this.s}.parked_events WHERE consumer = $1 AND ($2::text IS NULL OR stream_id = $2)
       ORDER BY stream_id`,
      [this.consumer, filter.streamId ?? null],
    );
    let applied = 0;
    for (const { stream_id: streamId } of rows) {
      for (;;) {
        const next = await this.options.pool.query(
          `SELECT event FROM ${this.s}.parked_events WHERE consumer = $1 AND stream_id = $2 ORDER BY stream_version LIMIT 1`,
          [this.consumer, streamId],
        );
        if (next.rowCount === 0) break;
        const outcome = await this.deliver(next.rows[0].event as PublishedEvent, true);
        if (outcome === 'parked' || outcome === 'held') break;
        if (outcome !== 'duplicate') applied++;
      }
    }
    const left = await this.options.pool.query(
      `SELECT count(*)::int AS n FROM ${this.s}.parked_events WHERE consumer = $1`,
      [this.consumer],
    );
    return { applied, stillParked: left.rows[0].n };
  }

  /** The consumer's parked events, by stream and version. */
  async parked(): Promise<ParkedEvent[]> {
    const { rows } = await this.options.pool.query(
      `SELECT * FROM ${this.s}.parked_events WHERE consumer = $1 ORDER BY stream_id, stream_version`,
      [this.consumer],
    );
    return rows.map((row) => ({
      consumer: row.consumer,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      event: row.event,
      error: row.error,
      held: row.held,
      attempts: row.attempts,
      parkedAt: row.parked_at,
    }));
  }

  /**
   * Moves the checkpoint past an event the effect ignores, in one statement that holds every rule
   * of `step` for the plain case: the stream's next version (or its first), chained onto the applied
   * hash, nothing of the stream parked. A row lock orders it with any member applying the same
   * stream. False when any rule does not hold (a duplicate, a gap, a held or broken event): the
   * usual path then decides, with its repair, parking and alarms.
   */
  private async passOver(event: PublishedEvent): Promise<boolean> {
    const s = this.s;
    // The first version has no checkpoint to chain onto: it must chain onto the genesis hash.
    if (event.streamVersion === 1 && event.hash && event.prevHash !== GENESIS_HASH) return false;
    const moved = `INSERT INTO ${s}.consumer_checkpoints AS c (consumer, stream_id, stream_version, hash)
         SELECT $1, $2, $3, $4
         WHERE ($3 = 1 OR EXISTS (SELECT 1 FROM ${s}.consumer_checkpoints WHERE consumer = $1 AND stream_id = $2))
           AND NOT EXISTS (SELECT 1 FROM ${s}.parked_events p WHERE p.consumer = $1 AND p.stream_id = $2 AND p.stream_version <= $3)
         ON CONFLICT (consumer, stream_id) DO UPDATE SET stream_version = excluded.stream_version, hash = excluded.hash
         WHERE c.stream_version = $3 - 1 AND ($5::text IS NULL OR c.hash IS NULL OR c.hash = $5)
         RETURNING 1`;
    const params = [this.consumer, event.streamId, event.streamVersion, event.hash || null, event.hash ? event.prevHash : null];
    try {
      const { rowCount } = await this.options.pool.query(`WITH moved AS (${moved}) SELECT 1 FROM moved`, params);
      return rowCount === 1;
    } catch (error) {
      if (isTransientError(error)) throw error;
      return false;
    }
  }

  private async deliver(event: PublishedEvent, retrying: boolean): Promise<DeliveryOutcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        const step = await this.step(event, retrying);
        if (step.kind !== 'gap') return step.kind;
        await this.repair(event, step.applied, step.appliedHash, retrying);
        return 'repaired';
      } catch (error) {
        if (isTransientError(error)) throw error;
        const permanent = (error as { permanent?: boolean }).permanent === true;
        if (permanent || attempt >= this.maxAttempts) {
          await this.park(event, error, attempt);
          return 'parked';
        }
        this.options.logger?.warn(
          {
            err: error,
            consumer: this.consumer,
            streamId: event.streamId,
            streamVersion: event.streamVersion,
            correlationId: event.metadata?.correlationId,
            attempt,
          },
          'event failed; retrying before parking it',
        );
        await sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  /** One event in one transaction: checkpoint locked, held or gap decided, effect and checkpoint moved. */
  private async step(event: PublishedEvent, retrying: boolean): Promise<Step> {
    const s = this.s;
    const client = await this.options.pool.connect();
    try {
      // The effect's tables resolve in the consumer's schema, so the same effect can fill a copy of
      // a read model in another schema (a rebuild) unchanged.
      // The stream is locked with an advisory lock, not a row lock: a row lock gives the transaction
      // an id at once, and every outbox relay of the cluster stops at the oldest open transaction
      // id (its commit-order rule) — a consumer waiting on something (a lock, a slow effect) would
      // hold back every service's events. An advisory lock takes no transaction id; the effect's
      // first write does, just before it commits. BEGIN, the lock and the read of the checkpoint go
      // in one round trip (a simple query, so its values are escaped literals): the lock is held
      // before the checkpoint is read.
      const literal = (value: string) => client.escapeLiteral(value);
      const version = safeVersion(event.streamVersion);
      const results = (await client.query(
        `BEGIN; SET LOCAL search_path TO ${s}; SELECT pg_advisory_xact_lock(hashtext(${literal(`${s}:${this.consumer}:${event.streamId}`)}));
         SELECT c.stream_version, c.hash,
                (SELECT min(p.stream_version) FROM ${s}.parked_events p
                 WHERE p.consumer = ${literal(this.consumer)} AND p.stream_id = ${literal(event.streamId)}
                   AND p.stream_version ${retrying ? '<' : '<='} ${version}) AS behind
         FROM (SELECT 1) AS one LEFT JOIN ${s}.consumer_checkpoints c
           ON c.consumer = ${literal(this.consumer)} AND c.stream_id = ${literal(event.streamId)}`,
      )) as unknown as QueryResult[];
      // The checkpoint (none yet: nulls) and the earliest parked event of the stream that comes first.
      const { rows } = results[results.length - 1];
      const known = rows[0].stream_version !== null;
      const applied: number = known ? rows[0].stream_version : 0;
      // The hash of the last applied event; unknown for checkpoints written before hashes were kept.
      const appliedHash: string | null = known ? (rows[0].hash ?? null) : GENESIS_HASH;
      const behind: number | null = rows[0].behind;
      if (event.streamVersion <= applied) {
        if (retrying) await this.unpark(client, event);
        await client.query('COMMIT');
        return { kind: 'duplicate' };
      }
      // A parked event of this stream comes first: a retry may pass only the earliest parked one.
      if (behind !== null) {
        if (!retrying) {
          const held = await client.query(
            `INSERT INTO ${s}.parked_events (consumer, stream_id, stream_version, event, error, held)
             VALUES ($1, $2, $3, $4, $5, true) ON CONFLICT DO NOTHING`,
            [
              this.consumer,
              event.streamId,
              event.streamVersion,
              JSON.stringify(event),
              `held behind parked version ${behind}`,
            ],
          );
          if (held.rowCount) consumerMetrics.held.inc({ consumer: this.consumer });
        }
        await client.query('COMMIT');
        return { kind: 'held' };
      }
      if (event.streamVersion > applied + 1) {
        await client.query('ROLLBACK');
        return { kind: 'gap', applied, appliedHash };
      }
      if (event.hash && appliedHash !== null && event.prevHash !== appliedHash) {
        throw new ChainBrokenError(
          `${event.streamId} v${event.streamVersion} does not chain onto the applied v${applied} (prevHash ${event.prevHash}, applied ${appliedHash})`,
        );
      }
      await this.options.effect(client, event);
      const checkpoint = `INSERT INTO ${s}.consumer_checkpoints (consumer, stream_id, stream_version, hash) VALUES ($1, $2, $3, $4)
         ON CONFLICT (consumer, stream_id) DO UPDATE SET stream_version = excluded.stream_version, hash = excluded.hash
         WHERE ${s}.consumer_checkpoints.stream_version = $5`;
      const params = [this.consumer, event.streamId, event.streamVersion, event.hash || null, applied];
      const { notifyChannel } = this.options;
      // The notification rides on the checkpoint's statement (no extra round trip) and is sent only
      // if the checkpoint moved; it is delivered when this transaction commits, or never.
      const moved = notifyChannel
        ? await client.query(`WITH moved AS (${checkpoint} RETURNING 1) SELECT pg_notify($6, $7) FROM moved`, [
            ...params,
            notifyChannel,
            appliedChangePayload(this.consumer, event),
          ])
        : await client.query(checkpoint, params);
      if (moved.rowCount === 0) {
        // Another member applied this stream meanwhile (a first insert raced): its effect stands.
        await client.query('ROLLBACK');
        return { kind: 'duplicate' };
      }
      if (retrying) await this.unpark(client, event);
      await client.query('COMMIT');
      return { kind: 'applied' };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Reads the missing versions back from the owner, checks they chain, applies them in order, then `event`. */
  private async repair(
    event: PublishedEvent,
    applied: number,
    appliedHash: string | null,
    retrying: boolean,
  ): Promise<void> {
    const from = applied + 1;
    const to = event.streamVersion - 1;
    const where = {
      consumer: this.consumer,
      source: event.source,
      streamId: event.streamId,
      applied,
      received: event.streamVersion,
      correlationId: event.metadata?.correlationId,
    };
    consumerMetrics.gaps.inc({ consumer: this.consumer });
    this.options.logger?.error(
      where,
      `gap in stream: versions ${from}..${to} never arrived; reading them back from ${event.source}`,
    );
    if (!this.options.readStream) {
      throw Object.assign(new StreamGapError(event.streamId, applied, event.streamVersion), {
        permanent: true,
      });
    }
    const missing = await this.options.readStream(event.source, event.streamId, from, to);
    verifyRepair(missing, from, to, appliedHash, event);
    for (const older of missing) {
      const step = await this.step(older, retrying);
      if (step.kind === 'gap') throw new StreamGapError(event.streamId, step.applied, older.streamVersion);
      if (step.kind === 'applied') consumerMetrics.repaired.inc({ consumer: this.consumer });
    }
    const last = await this.step(event, retrying);
    if (last.kind === 'gap') throw new StreamGapError(event.streamId, last.applied, event.streamVersion);
    this.options.logger?.warn(where, `gap repaired: versions ${from}..${to} applied from ${event.source}`);
  }

  private async park(event: PublishedEvent, error: unknown, attempts: number): Promise<void> {
    await this.options.pool.query(
      `INSERT INTO ${this.s}.parked_events (consumer, stream_id, stream_version, event, error, held, attempts)
       VALUES ($1, $2, $3, $4, $5, false, $6)
       ON CONFLICT (consumer, stream_id, stream_version) DO UPDATE
       SET error = excluded.error, held = false, attempts = ${this.s}.parked_events.attempts + excluded.attempts, parked_at = now()`,
      [this.consumer, event.streamId, event.streamVersion, JSON.stringify(event), errorText(error), attempts],
    );
    consumerMetrics.parked.inc({ consumer: this.consumer });
    this.options.logger?.error(
      {
        err: error,
        consumer: this.consumer,
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        eventId: event.eventId,
        correlationId: event.metadata?.correlationId,
        attempts,
      },
      'event parked: its stream is held until it is retried',
    );
  }

  private async unpark(client: PoolClient, event: PublishedEvent): Promise<void> {
    await client.query(
      `DELETE FROM ${this.s}.parked_events WHERE consumer = $1 AND stream_id = $2 AND stream_version = $3`,
      [this.consumer, event.streamId, event.streamVersion],
    );
  }
}

/**
 * The events read back must be exactly versions `from..to`, each hashing to its `hash`, chained from
 * the last applied event's hash (when known) and onto the event that revealed the gap.
 */
export function verifyRepair(
  missing: PublishedEvent[],
  from: number,
  to: number,
  appliedHash: string | null,
  next: PublishedEvent,
): void {
  const versions = missing.map((e) => e.streamVersion);
  if (missing.length !== to - from + 1 || versions.some((v, i) => v !== from + i)) {
    throw new ChainBrokenError(
      `${next.streamId}: the owner returned versions [${versions.join(',')}] for ${from}..${to}`,
    );
  }
  let prev = appliedHash;
  for (const e of missing) {
    if (e.streamId !== next.streamId)
      throw new ChainBrokenError(`the owner returned an event of ${e.streamId} for ${next.streamId}`);
    if (prev !== null && e.prevHash !== prev) {
      throw new ChainBrokenError(
        `${e.streamId} v${e.streamVersion} read back does not chain onto v${e.streamVersion - 1}`,
      );
    }
    if (chainHash(e.prevHash, e) !== e.hash)
      throw new ChainBrokenError(`${e.streamId} v${e.streamVersion} read back does not match its hash`);
    prev = e.hash;
  }
  if (next.hash && next.prevHash !== prev) {
    throw new ChainBrokenError(
      `${next.streamId} v${next.streamVersion} does not chain onto the versions read back`,
    );
  }
}
