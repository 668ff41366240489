import { Type } from 'class-transformer';
import { IsInt, IsNumberString, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { Pool } from 'pg';
import {
  DomainError,
  PublishedEvent,
  READ_EVENTS_MAX_EVENTS,
  READ_STREAM_MAX_EVENTS,
  ReadEventsCommand,
  ReadStreamCommand,
  RetryParkedCommand,
  ServiceName,
} from '@dockyard/contracts';
import { assertSchemaName } from './event-store.migrations';
import { rowToStoredEvent, toPublished } from './event-store';

/** The payload of `<service>.read-stream`. */
export class ReadStreamDto implements ReadStreamCommand {
  @IsString() @Length(1, 400) streamId!: string;
  @Type(() => Number) @IsInt() @Min(1) fromVersion!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(2 ** 31 - 1) toVersion!: number;
}

/** The payload of `<service>.read-events`. */
export class ReadEventsDto implements ReadEventsCommand {
  @IsNumberString({ no_symbols: true }) @Length(1, 19) afterPosition!: string;
  @Type(() => Number) @IsInt() @Min(1) @Max(READ_EVENTS_MAX_EVENTS) limit!: number;
}

/** The payload of `<service>.retry-parked`. */
export class RetryParkedDto implements RetryParkedCommand {
  @IsOptional() @IsString() @Length(1, 400) streamId?: string;
}

/**
 * Versions `fromVersion..toVersion` of one stream of a service's own store, as they were published
 * (the secret part stays: only its digest goes, which the hash chain covers). At most
 * READ_STREAM_MAX_EVENTS; fewer if the stream is shorter.
 */
export async function readPublishedStream(
  pool: Pool,
  schema: string,
  source: ServiceName,
  command: ReadStreamCommand,
): Promise<PublishedEvent[]> {
  const { streamId, fromVersion, toVersion } = command;
  if (toVersion < fromVersion) throw new DomainError('invalid', 'toVersion is below fromVersion');
  if (toVersion - fromVersion + 1 > READ_STREAM_MAX_EVENTS) {
    throw new DomainError('invalid', `at most ${READ_STREAM_MAX_EVENTS} events per read-stream command`);
  }
  const { rows } = await pool.query(
    `SELECT event_id, stream_id, stream_version, position, type, schema_version, data, secret, metadata, prev_hash, hash
     FROM ${assertSchemaName(schema)}.events WHERE stream_id = $1 AND stream_version BETWEEN $2 AND $3 ORDER BY stream_version`,
    [streamId, fromVersion, toVersion],
  );
  return rows.map((row) => toPublished(rowToStoredEvent(row), source));
}

/**
 * The size a page of `read-events` stops at (its JSON): the reply travels as one Kafka message,
 * and the broker refuses messages over 1 MiB by default.
 */
const READ_EVENTS_MAX_BYTES = 512 * 1024;
/** About what a published event's JSON adds to its data and metadata: ids, hashes, names. */
const PUBLISHED_ENVELOPE_BYTES = 400;
/** Rows read past the estimated cut, in case the stored sizes understate the JSON. */
const ESTIMATE_MARGIN = 1.25;

/**
 * A page of a service's own store after `afterPosition`, in position order, as published: at most
 * `limit` events and about READ_EVENTS_MAX_BYTES of JSON (always at least one event).
 */
export async function readPublishedEvents(
  pool: Pool,
  schema: string,
  source: ServiceName,
  command: ReadEventsCommand,
): Promise<PublishedEvent[]> {
  // The rows are cut near the page's size in the query already, by their stored size: reading and
  // parsing a full `limit` of rows to publish half of them took about half of a rebuild's CPU in the
  // owning service. The estimate only bounds what is read; the loop below makes the exact cut.
  const { rows } = await pool.query(
    `SELECT event_id, stream_id, stream_version, position, type, schema_version, data, secret, metadata, prev_hash, hash
     FROM (SELECT *, sum(size) OVER (ORDER BY position) - size AS before
           FROM (SELECT e.*, pg_column_size(e.data) + pg_column_size(e.metadata) + $4 AS size
                 FROM ${assertSchemaName(schema)}.events e WHERE e.position > $1 ORDER BY e.position LIMIT $2) sized) page
     WHERE before < $3
     ORDER BY position`,
    [
      command.afterPosition,
      Math.min(command.limit, READ_EVENTS_MAX_EVENTS),
      READ_EVENTS_MAX_BYTES * ESTIMATE_MARGIN,
      PUBLISHED_ENVELOPE_BYTES,
    ],
  );
  const page: PublishedEvent[] = [];
  let bytes = 0;
  for (const row of rows) {
    const event = toPublished(rowToStoredEvent(row), source);
    bytes += JSON.stringify(event).length;
    if (page.length > 0 && bytes > READ_EVENTS_MAX_BYTES) break;
    page.push(event);
  }
  return page;
}
