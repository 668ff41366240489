import { DomainError, MessageMetadata, PublishedEvent, RepositoryActivity, ServiceName, isDomainError } from '@dockyard/contracts';
import { CommandDispatcher, EventHandler, MessageBus, SendOptions, Subscription } from './message-bus';

interface BusLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

interface Group {
  sources: Set<string>;
  members: EventHandler[];
  /** Index of the next event of `log` this group has not handled. */
  cursor: number;
  draining: boolean;
}

const ACTIVITY = 'activity';

/** JSON round trip: what crosses the bus is data, exactly as it would be on Kafka. */
const wire = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/**
 * The bus of the standalone hub: one process, no broker, the same semantics as Kafka — payloads
 * are copied through JSON, commands are answered asynchronously, each consumer group sees every
 * event (also those published before it subscribed) in order, once per group, and a failing
 * handler is retried on the same event, never skipped.
 */
export class InProcessBus implements MessageBus {
  private readonly dispatchers = new Map<string, CommandDispatcher>();
  private readonly log: PublishedEvent[] = [];
  private readonly groups = new Map<string, Group>();
  private closed = false;

  constructor(private readonly options: { logger?: BusLogger; defaultTimeoutMs?: number } = {}) {}

  async send<TReply>(
    service: ServiceName,
    pattern: string,
    payload: unknown,
    metadata: MessageMetadata,
    options: SendOptions = {},
  ): Promise<TReply> {
    const dispatch = this.dispatchers.get(service);
    if (!dispatch || this.closed) throw new DomainError('unavailable', `${service} is not available`);
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 10000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DomainError('unavailable', `${service} did not answer in time`)), timeoutMs);
    });
    const call = (async () => {
      await Promise.resolve();
      try {
        return wire(await dispatch(pattern, wire(payload), wire(metadata))) as TReply;
      } catch (error) {
        if (isDomainError(error)) throw new DomainError(error.code, error.message);
        this.options.logger?.error({ err: error, service, pattern, correlationId: metadata.correlationId }, 'command failed');
        throw new Error(`${service} failed to handle ${pattern}`);
      }
    })();
    try {
      return await Promise.race([call, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async serveCommands(service: ServiceName, dispatch: CommandDispatcher): Promise<Subscription> {
    this.dispatchers.set(service, dispatch);
    return {
      close: async () => {
        if (this.dispatchers.get(service) === dispatch) this.dispatchers.delete(service);
      },
    };
  }

  async publish(source: ServiceName, events: PublishedEvent[]): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    for (const event of events) this.log.push(wire({ ...event, source }));
    for (const group of this.groups.values()) void this.drain(group);
  }

  async subscribe(groupName: string, sources: ServiceName[], handler: EventHandler): Promise<Subscription> {
    let group = this.groups.get(groupName);
    if (!group) {
      group = { sources: new Set(sources), members: [], cursor: 0, draining: false };
      this.groups.set(groupName, group);
    }
    for (const source of sources) group.sources.add(source);
    group.members.push(handler);
    void this.drain(group);
    const member = group;
    return {
      close: async () => {
        member.members = member.members.filter((h) => h !== handler);
      },
    };
  }

  // Activity rides the same ordered log as events, under a source of its own.
  async recordActivity(activity: RepositoryActivity): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    this.log.push(wire({ source: ACTIVITY, activity } as unknown as PublishedEvent));
    for (const group of this.groups.values()) void this.drain(group);
  }

  async subscribeActivity(group: string, handler: (activity: RepositoryActivity) => Promise<void>): Promise<Subscription> {
    return this.subscribe(group, [ACTIVITY as ServiceName], (entry) =>
      handler((entry as unknown as { activity: RepositoryActivity }).activity),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dispatchers.clear();
  }

  /** Delivers the group's pending events one at a time, rotating over its members. */
  private async drain(group: Group): Promise<void> {
    if (group.draining) return;
    group.draining = true;
    try {
      let turn = 0;
      while (!this.closed && group.members.length > 0 && group.cursor < this.log.length) {
        const event = this.log[group.cursor];
        if (!group.sources.has(event.source)) {
          group.cursor++;
          continue;
        }
        const handler = group.members[turn++ % group.members.length];
        let backoff = 100;
        for (;;) {
          try {
            await handler(wire(event));
            break;
          } catch (error) {
            this.options.logger?.warn({ err: error, eventId: event.eventId }, 'event handler failed; retrying');
            await new Promise((r) => setTimeout(r, backoff));
            backoff = Math.min(backoff * 2, 5000);
            if (this.closed) return;
          }
        }
        group.cursor++;
      }
      this.compact();
    } finally {
      group.draining = false;
    }
    if (!this.closed && group.members.length > 0 && group.cursor < this.log.length) void this.drain(group);
  }

  /**
   * Drops events every group has handled. Groups that subscribe later still get everything
   * published before — as long as it has not been dropped: in standalone every group subscribes at
   * start-up, before the first request.
   */
  private compact(): void {
    if (this.log.length < 10000 || this.groups.size === 0) return;
    const done = Math.min(...[...this.groups.values()].map((g) => g.cursor));
    if (done === 0) return;
    this.log.splice(0, done);
    for (const group of this.groups.values()) group.cursor -= done;
  }
}

