import { randomUUID } from 'node:crypto';
import { PoolClient } from 'pg';
import { MessageMetadata } from '@dockyard/contracts';
import { GENESIS_HASH, chainHash, secretDigest } from './hash-chain';
import { eventStoreMetrics } from './event-store.metrics';
import { wakeRelaysAfterCommit } from './relay-wake';
import { AppendResult, DuplicateEventError, NewEvent, WrongExpectedVersionError } from './event-store.types';

const UNIQUE_VIOLATION = '23505';

/**
 * Appends events to a stream inside the caller's open transaction. The expected version is enforced
 * by the unique (stream_id, stream_version) constraint — never by reading first — so of two racing
 * appends exactly one inserts; the other gets WrongExpectedVersionError, and its transaction is
 * aborted: the caller rolls back.
 */
export async function appendInTransaction(
  client: PoolClient,
  schema: string,
  streamId: string,
  expectedVersion: number,
  events: NewEvent[],
  metadata: MessageMetadata,
  /** The events' ids (derived from the command id); random when not given. */
  eventIds?: string[],
  /** When the fact happened, if that was before now (recorded later, e.g. a gateway's batch); never later than now. */
  occurredAt?: string,
): Promise<AppendResult> {
  if (events.length === 0) throw new Error('nothing to append');
  let prevHash = GENESIS_HASH;
  if (expectedVersion > 0) {
    const previous = await client.query(`SELECT hash FROM ${schema}.events WHERE stream_id = $1 AND stream_version = $2`, [
      streamId,
      expectedVersion,
    ]);
    if (previous.rowCount === 0) throw new WrongExpectedVersionError(streamId, expectedVersion);
    prevHash = previous.rows[0].hash;
  }
  const now = new Date();
  const happened = occurredAt === undefined ? now : new Date(occurredAt);
  const storedMetadata = { ...metadata, occurredAt: (happened < now && !Number.isNaN(happened.getTime()) ? happened : now).toISOString() };
  const values: unknown[] = [];
  const rows: string[] = [];
  events.forEach((event, i) => {
    const row = {
      eventId: eventIds?.[i] ?? randomUUID(),
      streamId,
      streamVersion: expectedVersion + i + 1,
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      data: event.data,
      metadata: storedMetadata,
      secretDigest: secretDigest(event.secret),
    };
    const hash = chainHash(prevHash, row);
    const n = values.length;
    rows.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}, $${n + 10})`);
    values.push(
      row.eventId,
      streamId,
      row.streamVersion,
      row.type,
      row.schemaVersion,
      JSON.stringify(row.data),
      event.secret ? JSON.stringify(event.secret) : null,
      JSON.stringify(storedMetadata),
      prevHash,
      hash,
    );
    prevHash = hash;
  });
  try {
    const inserted = await client.query(
      `WITH appended AS (
         INSERT INTO ${schema}.events
           (event_id, stream_id, stream_version, type, schema_version, data, secret, metadata, prev_hash, hash)
         VALUES ${rows.join(', ')} RETURNING position)
       SELECT max(position) AS position FROM appended`,
      values,
    );
    wakeRelaysAfterCommit(client, schema);
    for (const event of events) eventStoreMetrics.appended.inc({ source: schema, type: event.type });
    return { streamVersion: expectedVersion + events.length, position: BigInt(inserted.rows[0].position) };
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === UNIQUE_VIOLATION && constraint === 'events_stream_version') {
      throw new WrongExpectedVersionError(streamId, expectedVersion);
    }
    if (code === UNIQUE_VIOLATION && constraint === 'events_event_id_key') throw new DuplicateEventError(streamId);
    throw error;
  }
}
