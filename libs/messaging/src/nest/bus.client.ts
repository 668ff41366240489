import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { MessageMetadata, REPOSITORY_ACTIVITY, RepositoryActivity, ServiceName } from '@dockyard/contracts';
import { MessageBus } from '../message-bus';

/** What a `BusClient` sends: the command, the metadata of the request that caused it, its ordering key. */
export interface BusRequest {
  payload: unknown;
  metadata: MessageMetadata;
  /** Commands with the same key are handled in order (Kafka: same partition): the aggregate id. */
  key?: string;
}

/**
 * Nest's `ClientProxy` for one service over a `MessageBus`: `send(pattern, request)` is a command
 * (its reply, or the DomainError the service threw), `emit(REPOSITORY_ACTIVITY, activity)` records a
 * pull or push. Aggregate events are never emitted by a client: they leave the services' stores
 * through their outbox relays.
 */
export class BusClient extends ClientProxy {
  /** `activity`: where emitted activity goes; a gateway passes its ActivityBatcher, others the bus itself. */
  constructor(
    private readonly bus: MessageBus,
    private readonly service: ServiceName,
    private readonly activity: { add(activity: RepositoryActivity): Promise<void> } = { add: (a) => bus.recordActivity(a) },
  ) {
    super();
  }

  async connect(): Promise<void> {
    // The bus is connected once per process (runtime); nothing per client.
  }

  async close(): Promise<void> {
    // The bus outlives its clients; the runtime closes it.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  protected publish(packet: ReadPacket<BusRequest>, callback: (packet: WritePacket) => void): () => void {
    const { payload, metadata, key } = packet.data;
    this.bus.send(this.service, String(packet.pattern), payload, metadata, { key }).then(
      // A command that answers nothing still completes the observable with a value.
      (response) => callback({ response: response ?? null, isDisposed: true }),
      (err: unknown) => callback({ err, isDisposed: true }),
    );
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    if (packet.pattern !== REPOSITORY_ACTIVITY) {
      throw new Error(`${String(packet.pattern)} is not emitted by clients: events leave the stores through their relays`);
    }
    await this.recordActivity(packet.data as RepositoryActivity);
    return undefined as T;
  }

  /** What `emit(REPOSITORY_ACTIVITY, activity)` does, without the observable `emit` builds around it. */
  recordActivity(activity: RepositoryActivity): Promise<void> {
    return this.activity.add(activity);
  }
}

/** A command through a client, as a promise: the reply, or the DomainError it was answered with. */
export const sendCommand = <TReply>(
  client: ClientProxy,
  pattern: string,
  payload: unknown,
  metadata: MessageMetadata,
  key?: string,
): Promise<TReply> => firstValueFrom(client.send<TReply, BusRequest>(pattern, { payload, metadata, key }));

/**
 * Records a pull, a push or an image fetch on the activity topic; resolves once the bus has it. A
 * BusClient takes it directly: `emit` builds a chain of rxjs operators and subscribers per call,
 * which every pull paid for (a tenth of a pull's garbage in the gateway, measured).
 */
export const emitActivity = (client: ClientProxy, activity: RepositoryActivity): Promise<void> =>
  client instanceof BusClient
    ? client.recordActivity(activity)
    : new Promise((resolve, reject) => client.emit(REPOSITORY_ACTIVITY, activity).subscribe({ complete: resolve, error: reject }));
