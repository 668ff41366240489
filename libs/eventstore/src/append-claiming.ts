import { PoolClient } from 'pg';
import { DomainError, MessageMetadata, WrittenStream } from '@dockyard/contracts';
import { EventStore } from './event-store';
import { NewEvent } from './event-store.types';

const UNIQUE_VIOLATION = '23505';

/**
 * A command's append as services reply it (`WrittenStream`), with the writes to the service's own
 * claim tables (names, e-mails) in the same transaction: a claim someone already holds (a unique
 * violation) fails the whole append as `taken()`, so uniqueness never depends on a read model.
 */
export async function appendClaiming(
  store: EventStore,
  source: string,
  stream: { streamId: string; expectedVersion: number },
  events: NewEvent[],
  metadata: MessageMetadata,
  claim?: { write: (client: PoolClient) => Promise<void>; taken: () => DomainError },
): Promise<WrittenStream> {
  try {
    const result = await store.append(stream.streamId, stream.expectedVersion, events, metadata, { withinTransaction: claim?.write });
    return { source, streamId: stream.streamId, streamVersion: result.streamVersion };
  } catch (error) {
    if (claim && (error as { code?: string }).code === UNIQUE_VIOLATION) throw claim.taken();
    throw error;
  }
}
