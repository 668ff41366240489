import { Pool, PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';
import { assertSchemaName } from './event-store.migrations';

/** An event arrived before a version of its stream that the consumer never applied. */
export class StreamGapError extends Error {
  constructor(
    readonly streamId: string,
    readonly applied: number,
    readonly received: number,
  ) {
    super(`${streamId}: v${received} arrived but v${applied + 1} was never applied`);
    this.name = 'StreamGapError';
  }
}

/**
 * Applies `effect` for `event` at most once per consumer, and only right after the version before
 * it: the consumer's checkpoint for the event's stream is read under a row lock and moved in the
 * same transaction as the effect, compare-and-set. A redelivered or replayed event (version ≤
 * checkpoint) changes nothing; a version past checkpoint + 1 applies nothing and throws
 * `StreamGapError`. Returns whether it applied. Consumers of the bus use `StreamConsumer`, which
 * also repairs gaps and parks poison events.
 */
export async function applyOnce(
  pool: Pool,
  schema: string,
  consumer: string,
  event: PublishedEvent,
  effect: (client: PoolClient) => Promise<void>,
): Promise<boolean> {
  const s = assertSchemaName(schema);
  const client = await pool.connect();
  try {
    // The effect's tables resolve in the consumer's schema, as with StreamConsumer.
    await client.query(`BEGIN; SET LOCAL search_path TO ${s}`);
    const { rows } = await client.query(
      `SELECT stream_version FROM ${s}.consumer_checkpoints WHERE consumer = $1 AND stream_id = $2 FOR UPDATE`,
      [consumer, event.streamId],
    );
    const applied: number = rows[0]?.stream_version ?? 0;
    if (applied >= event.streamVersion) {
      await client.query('ROLLBACK');
      return false;
    }
    if (event.streamVersion > applied + 1) throw new StreamGapError(event.streamId, applied, event.streamVersion);
    await effect(client);
    const moved = await client.query(
      `INSERT INTO ${s}.consumer_checkpoints (consumer, stream_id, stream_version) VALUES ($1, $2, $3)
       ON CONFLICT (consumer, stream_id) DO UPDATE SET stream_version = excluded.stream_version
       WHERE ${s}.consumer_checkpoints.stream_version = $4`,
      [consumer, event.streamId, event.streamVersion, applied],
    );
    if (moved.rowCount === 0) {
      // Another member applied this stream meanwhile (a first insert raced): its effect stands.
      await client.query('ROLLBACK');
      return false;
    }
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The last version of `streamId` that `consumer` applied (0 if none). */
export async function appliedVersion(
  pool: Pool,
  schema: string,
  consumer: string,
  streamId: string,
): Promise<number> {
  const { rows } = await pool.query(
    `SELECT stream_version FROM ${assertSchemaName(schema)}.consumer_checkpoints WHERE consumer = $1 AND stream_id = $2`,
    [consumer, streamId],
  );
  return rows[0]?.stream_version ?? 0;
}
