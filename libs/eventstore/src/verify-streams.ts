import { ArrayMaxSize, IsArray, IsString, Length } from 'class-validator';
import { Pool } from 'pg';
import { VERIFY_STREAMS_MAX, VerifiedStream, VerifyStreamsCommand } from '@dockyard/contracts';
import { assertSchemaName } from './event-store.migrations';
import { rowToStoredEvent, toPublished } from './event-store';
import { verifyChain } from './hash-chain';

/** The payload of `<service>.verify-streams`. */
export class VerifyStreamsDto implements VerifyStreamsCommand {
  @IsArray() @ArrayMaxSize(VERIFY_STREAMS_MAX) @IsString({ each: true }) @Length(1, 400, { each: true }) streamIds!: string[];
}

/**
 * Recomputes the hash chain of each named stream of a service's own store (`verifyChain`, as
 * `EventStore.verifyStream` does): an event edited, removed or reordered in place is found. A
 * stream the store does not have is answered with no events and not valid.
 */
export async function verifyOwnStreams(pool: Pool, schema: string, command: VerifyStreamsCommand): Promise<VerifiedStream[]> {
  const { rows } = await pool.query(
    `SELECT event_id, stream_id, stream_version, position, type, schema_version, data, secret, metadata, prev_hash, hash
     FROM ${assertSchemaName(schema)}.events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_version`,
    [command.streamIds],
  );
  const byStream = new Map<string, ReturnType<typeof toPublished>[]>();
  for (const row of rows) {
    const event = toPublished(rowToStoredEvent(row), '');
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event]);
  }
  return command.streamIds.map((streamId) => {
    const events = byStream.get(streamId) ?? [];
    const verdict = verifyChain(events);
    return {
      streamId,
      events: events.length,
      head: events.at(-1)?.hash ?? '',
      valid: events.length > 0 && verdict.valid,
      brokenAtVersion: verdict.valid ? null : verdict.brokenAtVersion,
      hashes: events.map((event) => event.hash),
    };
  });
}
