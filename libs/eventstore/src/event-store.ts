import { Pool, PoolClient } from 'pg';
import { MessageMetadata, PublishedEvent } from '@dockyard/contracts';
import { appendInTransaction } from './append-to-stream';
import { assertSchemaName } from './event-store.migrations';
import { eventIdFor } from './event-id';
import { inTransaction } from './in-transaction';
import { CommandScope, currentCommand } from './handled-commands';
import { ChainVerdict, secretDigest, verifyChain } from './hash-chain';
import { AppendResult, NewEvent, StoredEvent } from './event-store.types';

const COLUMNS = `event_id, stream_id, stream_version, position, type, schema_version, data, secret, metadata, prev_hash, hash`;

export const rowToStoredEvent = (row: Record<string, any>): StoredEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  streamVersion: row.stream_version,
  position: BigInt(row.position),
  type: row.type,
  schemaVersion: row.schema_version,
  data: row.data,
  secret: row.secret,
  metadata: row.metadata,
  prevHash: row.prev_hash,
  hash: row.hash,
});

/** An event as it leaves its service: everything but the secret part. */
export const toPublished = (event: StoredEvent, source: string): PublishedEvent => ({
  eventId: event.eventId,
  source,
  streamId: event.streamId,
  streamVersion: event.streamVersion,
  position: event.position.toString(),
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: event.metadata,
  hash: event.hash,
  prevHash: event.prevHash,
  secretDigest: secretDigest(event.secret),
});

/** A service's event store: its `events` table in its own schema. */
export class EventStore {
  readonly schema: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.schema = assertSchemaName(schema);
  }

  /**
   * Appends all `events` or none. `withinTransaction` runs in the same transaction (a service's own
   * uniqueness rows, say): if it throws, nothing is written.
   *
   * Called with the metadata of a command being executed under its id (`HandledCommands.runOnce`),
   * the append joins that command's transaction, which claims the command id and commits only with its outcome, and
   * the events' ids derive from the command id.
   */
  async append(
    streamId: string,
    expectedVersion: number,
    events: NewEvent[],
    metadata: MessageMetadata,
    options: { withinTransaction?: (client: PoolClient) => Promise<void> } = {},
  ): Promise<AppendResult> {
    const command = currentCommand(this.schema, metadata.commandId);
    if (command) return this.appendForCommand(command, streamId, expectedVersion, events, metadata, options);
    return inTransaction(this.pool, async (client) => {
      const result = await appendInTransaction(client, this.schema, streamId, expectedVersion, events, metadata);
      await options.withinTransaction?.(client);
      return result;
    });
  }

  private async appendForCommand(
    command: CommandScope,
    streamId: string,
    expectedVersion: number,
    events: NewEvent[],
    metadata: MessageMetadata,
    options: { withinTransaction?: (client: PoolClient) => Promise<void> },
  ): Promise<AppendResult> {
    const client = await command.claim();
    // A failed first append abandons the whole transaction, so only a later one needs a savepoint
    // to keep the command's earlier appends: most commands append once and save two round trips.
    const earlier = command.appended > 0;
    if (earlier) await client.query('SAVEPOINT dockyard_append');
    try {
      const ids = events.map((_, i) => eventIdFor(command.commandId, command.appended + i));
      const result = await appendInTransaction(client, this.schema, streamId, expectedVersion, events, metadata, ids);
      await options.withinTransaction?.(client);
      if (earlier) await client.query('RELEASE SAVEPOINT dockyard_append');
      command.appended += events.length;
      return result;
    } catch (error) {
      // Nothing appended yet: give the connection back while the handler reloads and decides again.
      if (!earlier) await command.abandon();
      else await client.query('ROLLBACK TO SAVEPOINT dockyard_append').catch(() => undefined);
      throw error;
    }
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query(
      `SELECT ${COLUMNS} FROM ${this.schema}.events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return rows.map(rowToStoredEvent);
  }

  async readAll(afterPosition: bigint, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query(
      `SELECT ${COLUMNS} FROM ${this.schema}.events WHERE position > $1 ORDER BY position LIMIT $2`,
      [afterPosition.toString(), limit],
    );
    return rows.map(rowToStoredEvent);
  }

  async streamVersion(streamId: string): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT max(stream_version) AS version FROM ${this.schema}.events WHERE stream_id = $1`,
      [streamId],
    );
    return rows[0].version ?? 0;
  }

  /** Recomputes the stream's hash chain: an edited, removed or reordered event is found. */
  async verifyStream(streamId: string): Promise<ChainVerdict> {
    const events = await this.readStream(streamId);
    return verifyChain(events.map((e) => toPublished(e, '')));
  }
}
