import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import {
  DomainError,
  MessageMetadata,
  isDomainError,
  PublishedEvent,
  REPOSITORY_ACTIVITY,
  RepositoryActivity,
  ServiceName,
  sourceOfEvent,
} from '@dockyard/contracts';
import { MessageBus, Subscription } from '../message-bus';
import { commandHandlingSeconds } from '../command-metrics';
import { BusContext } from './bus.context';

export interface BusServerOptions {
  /** The service whose commands this server answers (its `@MessagePattern` handlers). */
  service?: ServiceName;
  /** The consumer group of its `@EventPattern` handlers: replicas of one app share it. */
  group?: string;
}

/**
 * Nest's transport strategy over a `MessageBus` — the in-process bus standalone, Kafka distributed —
 * so one set of `@MessagePattern` / `@EventPattern` controllers runs on both. Nest routes a message
 * to its handler (with pipes, filters and interceptors); the bus keeps what Nest's own Kafka
 * transport does not give (libs/messaging README in docs/architecture.md): commands keyed by
 * aggregate and dropped once their sender gave up, replies routed to the asking replica, topics
 * created by the services, events delivered per stream in order and retried until handled.
 *
 * An event handler's returned promise or observable is awaited before the event counts as handled,
 * so a projection's transaction commits before the consumer moves on.
 */
export class BusServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly bus: MessageBus,
    private readonly options: BusServerOptions,
  ) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    // At once: each may wait for the broker a while (KafkaBus, CONSUMER_STOP_MS), and one after
    // another those waits added up past a supervisor's stop timeout.
    await Promise.all(this.subscriptions.splice(0).map((subscription) => subscription.close()));
  }

  on(): never {
    throw new Error('BusServer has no transport events to listen to');
  }

  /**
   * The hub's patterns are plain names (`repositories.create`, `RepositoryCreated`). Nest's lookup
   * first tries each as JSON, which throws and catches a SyntaxError for every message; a name is
   * its own route, so the map answers directly.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? null;
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async start(): Promise<void> {
    const handlers = [...this.messageHandlers.entries()];
    if (handlers.some(([, handler]) => !handler.isEventHandler)) {
      const service = this.options.service;
      if (!service) throw new Error('a BusServer with @MessagePattern handlers needs the service it answers for');
      this.subscriptions.push(await this.bus.serveCommands(service, (pattern, payload, metadata) => this.command(pattern, payload, metadata)));
    }
    const eventTypes = handlers.filter(([, handler]) => handler.isEventHandler).map(([pattern]) => pattern);
    if (eventTypes.length === 0) return;
    const group = this.options.group;
    if (!group) throw new Error('a BusServer with @EventPattern handlers needs a consumer group');
    const sources = new Set<ServiceName>();
    for (const type of eventTypes.filter((t) => t !== REPOSITORY_ACTIVITY)) {
      const source = sourceOfEvent(type);
      if (!source) throw new Error(`@EventPattern(${type}): no service publishes that event (libs/contracts event-sources)`);
      sources.add(source);
    }
    if (sources.size > 0) {
      this.subscriptions.push(await this.bus.subscribe(group, [...sources], (event) => this.event(event.type, event, event.metadata)));
    }
    if (eventTypes.includes(REPOSITORY_ACTIVITY)) {
      const activity = (entry: RepositoryActivity) => this.event(REPOSITORY_ACTIVITY, entry, { correlationId: entry.activityId, actor: 'system' });
      this.subscriptions.push(await this.bus.subscribeActivity(`${group}-activity`, activity));
    }
  }

  private async command(pattern: string, payload: unknown, metadata: MessageMetadata): Promise<unknown> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler || handler.isEventHandler) throw new DomainError('invalid', `unknown command ${pattern}`);
    const end = commandHandlingSeconds.startTimer({ pattern });
    try {
      const result = await this.run(handler, payload, metadata, pattern);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: isDomainError(error) ? error.code : 'error' });
      throw error;
    }
  }

  /** Event types this group does not handle share its topics: they are passed over. */
  private async event(type: string, payload: PublishedEvent | RepositoryActivity, metadata: MessageMetadata): Promise<void> {
    const handler = this.getHandlerByPattern(type);
    if (!handler?.isEventHandler) return;
    await this.run(handler, payload, metadata, type);
  }

  /**
   * Runs a handler; its metadata (correlation id included) reaches it through `BusContext`. No
   * AsyncLocalStorage scope around it: on Node 20 one scope anywhere turns on promise hooks for every
   * promise of the process (libs/eventstore handled-commands.ts). A line a handler logs names the
   * correlation id itself (`correlated` in libs/runtime logger.ts).
   */
  private async run(handler: MessageHandler, payload: unknown, metadata: MessageMetadata, pattern: string): Promise<unknown> {
    const result = await handler(payload, new BusContext([metadata, pattern]));
    return lastValueFrom(this.transformToObservable(result), { defaultValue: null });
  }
}
