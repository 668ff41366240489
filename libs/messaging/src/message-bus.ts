import { MessageMetadata, PublishedEvent, RepositoryActivity, ServiceName } from '@dockyard/contracts';
import { BusStatus } from './bus-status';

/**
 * Answers a service's commands: Nest routes each pattern to its `@MessagePattern` handler
 * (`BusServer`). Throws a DomainError to reply with a rule the command broke.
 */
export type CommandDispatcher = (pattern: string, payload: unknown, metadata: MessageMetadata) => Promise<unknown>;

/** Applies one event. It must be idempotent: the bus delivers at least once. */
export type EventHandler = (event: PublishedEvent) => Promise<void>;

export interface SendOptions {
  /** Commands with the same key are handled in order (Kafka: same partition). Usually the aggregate id. */
  key?: string;
  timeoutMs?: number;
}

export interface Subscription {
  close(): Promise<void>;
}

/**
 * The one way services talk: commands by request-reply, facts by events. Two transports implement
 * it: in-process (standalone) and Kafka (distributed); the contracts are the same.
 */
export interface MessageBus {
  /** Sends a command to `service` and resolves with its reply, or rejects with the DomainError it threw. */
  send<TReply>(
    service: ServiceName,
    pattern: string,
    payload: unknown,
    metadata: MessageMetadata,
    options?: SendOptions,
  ): Promise<TReply>;

  /** Serves `service`'s commands. Replicas of a service share the load. */
  serveCommands(service: ServiceName, dispatch: CommandDispatcher): Promise<Subscription>;

  /**
   * Publishes committed events of `source` in the given order, keyed by stream id. Resolves once
   * durable — the outbox relay then moves its checkpoint past them: on Kafka once the broker has
   * them; in process (no broker) once every consumer group of `source` has handled them. A
   * rejection means nothing may be assumed delivered: the relay publishes them again.
   */
  publish(source: ServiceName, events: PublishedEvent[]): Promise<void>;

  /**
   * How many `publish` calls may be outstanding at once with their order kept: the outbox relay
   * hands on the next batch while earlier ones are still being made durable. 1 (or unset): wait for
   * each publish before the next.
   */
  readonly publishAhead?: number;

  /**
   * How long a stopping outbox relay waits for a `publish` under way before it gives up on it (its
   * events are published again by the next relay). Unset: until it ends, as for a publish that
   * ends when its handlers do (the in-process bus), whose work the stop must not leave running.
   */
  readonly publishStopWaitMs?: number;

  /**
   * Delivers every event of the `sources`' topics to one member of consumer `group`, in stream order,
   * at least once. A handler error stops that consumer and retries the same event; it never skips it.
   */
  subscribe(group: string, sources: ServiceName[], handler: EventHandler): Promise<Subscription>;

  /** Records a pull or push on the activity topic (at least once on Kafka; best effort in process). */
  recordActivity(activity: RepositoryActivity): Promise<void>;

  /** Delivers activity to one member of `group`, at least once. */
  subscribeActivity(group: string, handler: (activity: RepositoryActivity) => Promise<void>): Promise<Subscription>;

  /** Whether the transport is connected and how this process's consumer groups are doing (`/readyz`, `/metrics`). */
  status(): Promise<BusStatus>;

  close(): Promise<void>;
}

export const MESSAGE_BUS = Symbol('MessageBus');
