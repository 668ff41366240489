import { randomUUID } from 'node:crypto';
import {
  PublishedEvent,
  READ_STREAM_MAX_EVENTS,
  ReadStreamCommand,
  SERVICES,
  ServiceName,
  readStreamCommand,
} from '@dockyard/contracts';
import { BusClient, MessageBus, sendCommand } from '@dockyard/messaging';
import { StreamReader } from './stream-consumer';

/**
 * A consumer's `StreamReader` over the bus: `<source>.read-stream` to the service that owns the
 * stream (keyed by the stream id), in chunks of READ_STREAM_MAX_EVENTS.
 */
export function ownerStreamReader(bus: MessageBus, consumer: string): StreamReader {
  const clients = new Map<ServiceName, BusClient>();
  return async (source, streamId, fromVersion, toVersion) => {
    if (!(SERVICES as readonly string[]).includes(source))
      throw new Error(`no service ${source} owns ${streamId}`);
    const service = source as ServiceName;
    let client = clients.get(service);
    if (!client) clients.set(service, (client = new BusClient(bus, service)));
    const events: PublishedEvent[] = [];
    for (let from = fromVersion; from <= toVersion; from += READ_STREAM_MAX_EVENTS) {
      const command: ReadStreamCommand = {
        streamId,
        fromVersion: from,
        toVersion: Math.min(toVersion, from + READ_STREAM_MAX_EVENTS - 1),
      };
      const metadata = { correlationId: randomUUID(), actor: `system:${consumer}` };
      events.push(
        ...(await sendCommand<PublishedEvent[]>(
          client,
          readStreamCommand(service),
          command,
          metadata,
          streamId,
        )),
      );
    }
    return events;
  };
}
