import { DomainError, MessageMetadata, PublishedEvent, RepositoryActivity, ServiceName, isDomainError } from '@dockyard/contracts';
import { CommandDispatcher, EventHandler, MessageBus, SendOptions, Subscription } from './message-bus';
import { BusStatus, ConsumerProgress } from './bus-status';

interface BusLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A consumer group the bus must wait for: it consumes the events of `sources`. */
export interface ConsumerGroupDeclaration {
  group: string;
  sources: ServiceName[];
}

export interface InProcessBusOptions {
  logger?: BusLogger;
  defaultTimeoutMs?: number;
  /**
   * Every consumer group of the process and the sources it consumes, known before anything is
   * published (standalone: derived from each module's `@EventPattern` handlers). A declared group's
   * events are kept and awaited from the start, also while it has not subscribed yet; a group that
   * subscribes undeclared (or to sources it did not declare) is refused, so a missing declaration
   * fails at start-up instead of losing events. Without the option, `publish` waits for the groups
   * subscribed at the time.
   */
  groups?: ConsumerGroupDeclaration[];
}

interface Group {
  name: string;
  sources: Set<string>;
  members: EventHandler[];
  /** Sequence number (see `base`) of the next entry of the log this group has not handled. */
  cursor: number;
  draining: boolean;
  /** It had members and all of them left (shutdown): nobody will handle its events in this process. */
  closed: boolean;
  progress: ConsumerProgress;
}

/** A `publish` waiting until each of `groups` has handled every entry before sequence `until`. */
interface PendingPublish {
  until: number;
  groups: Group[];
  resolve(): void;
  reject(error: Error): void;
}

const ACTIVITY = 'activity';

/** JSON round trip: what crosses the bus is data, exactly as it would be on Kafka. */
const wire = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)));

/**
 * An entry of the log: the event as its JSON text, encoded once when it is published, and each
 * delivery parses its own copy, as every Kafka consumer group decodes the same bytes. Copying
 * through JSON at publish and again at each delivery (two groups, the counts and the audit, read
 * each activity batch) spent 5 % of the standalone hub's CPU in `GET .../images` under load.
 */
interface LogEntry {
  source: string;
  json: string;
  eventId?: string;
  occurredAt?: string;
  correlationId?: string;
}

const logEntry = (source: string, message: Partial<PublishedEvent> | { activity: RepositoryActivity }): LogEntry => {
  const event = message as Partial<PublishedEvent>;
  return {
    source,
    json: JSON.stringify({ ...message, source }),
    eventId: event.eventId,
    occurredAt: event.metadata?.occurredAt,
    correlationId: event.metadata?.correlationId,
  };
};

/**
 * The bus of the standalone hub: one process, no broker, the same semantics as Kafka — payloads
 * are copied through JSON, commands are answered asynchronously, each consumer group sees every
 * event (also those published before it subscribed) in order, once per group, and a failing
 * handler is retried on the same event, never skipped.
 *
 * Durable the way a broker-less event store makes it (Axon, Emmett, Marten): the events live in
 * the publishing service's outbox, and `publish` resolves only once every consumer group of that
 * source has handled them — each handler commits its checkpoint with its effect (`applyOnce`) — so
 * the outbox relay moves its checkpoint only past events every consumer has committed. A crash
 * before that leaves the relay where it was; on restart it publishes again and the consumers skip
 * what they had applied. A group that closes, or the bus closing, rejects the pending publishes
 * (the relay retries later, or on the next start) instead of holding shutdown.
 *
 * Activity (`recordActivity`) is not awaited: pulls and pushes are counts, best effort in
 * standalone — lost if the process dies before the projector has folded them.
 */
export class InProcessBus implements MessageBus {
  /**
   * `publish` appends to the log before it returns, so calls keep their order however many are
   * outstanding; the relay may hand on new events while the consumers are still committing older
   * ones (its checkpoint still moves only past events every group has committed).
   */
  readonly publishAhead = 32;
  private readonly dispatchers = new Map<string, CommandDispatcher>();
  /** The entries not yet handled by every group; `log[i]` has sequence number `base + i`. */
  private readonly log: LogEntry[] = [];
  private base = 0;
  private readonly groups = new Map<string, Group>();
  private readonly pending = new Set<PendingPublish>();
  /** Wakes handler retries that are waiting out their backoff, so closing does not wait for them. */
  private readonly wakeups = new Set<() => void>();
  private declared: Map<string, Set<string>> | undefined;
  private closed = false;

  constructor(private readonly options: InProcessBusOptions = {}) {
    if (options.groups) this.declareGroups(options.groups);
  }

  /**
   * Declares the consumer groups to wait for (as the `groups` option), for a composition that
   * knows them only once it has built its modules; before anything is published or subscribed.
   */
  declareGroups(groups: ConsumerGroupDeclaration[]): void {
    if (this.base + this.log.length > 0 || this.groups.size > 0) {
      throw new Error('consumer groups must be declared before anything is published or subscribed');
    }
    this.declared = new Map();
    for (const { group, sources } of groups) {
      const known = this.declared.get(group) ?? new Set<string>();
      for (const source of sources) known.add(source);
      this.declared.set(group, known);
      this.groups.set(group, { name: group, sources: new Set(known), members: [], cursor: 0, draining: false, closed: false, progress: new ConsumerProgress(group) });
    }
  }

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

  /**
   * Resolves once every consumer group of `source` (declared or subscribed) has handled every one
   * of `events`; rejects, without delivering anything, if one of those groups has closed, and
   * rejects when a group closes or the bus closes while waiting.
   */
  async publish(source: ServiceName, events: PublishedEvent[]): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    const consumers = [...this.groups.values()].filter((group) => group.sources.has(source));
    const gone = consumers.find((group) => group.closed);
    if (gone) throw new Error(`consumer group ${gone.name} has closed`);
    if (events.length === 0) return;
    for (const event of events) this.log.push(logEntry(source, event));
    const until = this.base + this.log.length;
    const done = consumers.length === 0 ? Promise.resolve() : this.await(until, consumers);
    this.drainAll();
    return done;
  }

  async subscribe(groupName: string, sources: ServiceName[], handler: EventHandler): Promise<Subscription> {
    if (this.declared) {
      const declared = this.declared.get(groupName);
      const undeclared = sources.filter((source) => !declared?.has(source));
      if (undeclared.length > 0) {
        throw new Error(
          `consumer group ${groupName} subscribes to ${undeclared.join(', ')} without having declared it: ` +
            'the bus would not wait for it, and events published before it subscribed could be lost',
        );
      }
    }
    return this.join(groupName, sources, handler);
  }

  /**
   * Activity rides the same ordered log as events, under a source of its own. Best effort: nothing
   * waits for it to be handled (activity is counts, not acknowledged writes), and a process that
   * dies first loses what was not folded yet.
   */
  async recordActivity(activity: RepositoryActivity): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    this.log.push(logEntry(ACTIVITY, { activity }));
    this.drainAll();
  }

  async subscribeActivity(group: string, handler: (activity: RepositoryActivity) => Promise<void>): Promise<Subscription> {
    return this.join(group, [ACTIVITY as ServiceName], (entry) =>
      handler((entry as unknown as { activity: RepositoryActivity }).activity),
    );
  }

  /** Stops serving and delivering; pending publishes reject (their events stay in the outbox). */
  async close(): Promise<void> {
    this.closed = true;
    this.dispatchers.clear();
    for (const waiter of [...this.pending]) this.settle(waiter, new Error('bus closed'));
    for (const wake of [...this.wakeups]) wake();
  }

  /** Each group's entries past its cursor (of the sources it consumes). */
  async status(): Promise<BusStatus> {
    const consumers = [...this.groups.values()].map((group) => {
      group.progress.joined = group.members.length > 0;
      const behind = this.log.slice(group.cursor - this.base).filter((entry) => group.sources.has(entry.source)).length;
      return group.progress.status(behind);
    });
    return { connected: !this.closed, consumers };
  }

  private join(groupName: string, sources: ServiceName[], handler: EventHandler): Promise<Subscription> {
    let group = this.groups.get(groupName);
    if (!group) {
      group = { name: groupName, sources: new Set(sources), members: [], cursor: this.base, draining: false, closed: false, progress: new ConsumerProgress(groupName) };
      this.groups.set(groupName, group);
    }
    for (const source of sources) group.sources.add(source);
    group.members.push(handler);
    group.closed = false;
    void this.drain(group);
    const member = group;
    return Promise.resolve({
      close: async () => {
        if (!member.members.includes(handler)) return;
        member.members = member.members.filter((h) => h !== handler);
        if (member.members.length > 0) return;
        member.closed = true;
        for (const waiter of [...this.pending]) {
          if (waiter.groups.includes(member)) this.settle(waiter, new Error(`consumer group ${member.name} closed`));
        }
      },
    });
  }

  private await(until: number, groups: Group[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.add({ until, groups, resolve, reject });
    });
  }

  private settle(waiter: PendingPublish, error?: Error): void {
    if (!this.pending.delete(waiter)) return;
    if (error) waiter.reject(error);
    else waiter.resolve();
  }

  /** Resolves the publishes whose every group has moved past their events. */
  private release(): void {
    for (const waiter of [...this.pending]) {
      if (waiter.groups.every((group) => group.cursor >= waiter.until)) this.settle(waiter);
    }
  }

  private drainAll(): void {
    for (const group of this.groups.values()) void this.drain(group);
  }

  /** Delivers the group's pending events one at a time, rotating over its members. */
  private async drain(group: Group): Promise<void> {
    if (group.draining) return;
    group.draining = true;
    try {
      let turn = 0;
      while (!this.closed && group.members.length > 0 && group.cursor < this.base + this.log.length) {
        const event = this.log[group.cursor - this.base];
        if (group.sources.has(event.source)) {
          const handled = await this.handle(group, group.members[turn++ % group.members.length], event);
          if (!handled) continue; // that member left: the same event goes to the next one
          group.progress.handled(event.occurredAt);
        }
        group.cursor++;
        this.release();
      }
      this.compact();
    } finally {
      group.draining = false;
    }
    if (!this.closed && group.members.length > 0 && group.cursor < this.base + this.log.length) void this.drain(group);
  }

  /**
   * Hands `event` to `handler` until it succeeds: true once handled, false if the member left (or
   * the bus closed) first — the event then stays for the group's other members.
   */
  private async handle(group: Group, handler: EventHandler, event: LogEntry): Promise<boolean> {
    let backoff = 100;
    for (;;) {
      try {
        await handler(JSON.parse(event.json) as PublishedEvent);
        return true;
      } catch (error) {
        this.options.logger?.warn(
          { err: error, eventId: event.eventId, correlationId: event.correlationId, group: group.name },
          'event handler failed; retrying',
        );
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, 5000);
        if (this.closed || !group.members.includes(handler)) return false;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeups.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeups.add(wake);
    });
  }

  /**
   * Drops entries every group has handled. Declared groups count from the start, so nothing they
   * have not handled is dropped. With groups declared (the standalone hub), no other group can
   * subscribe, so a handled entry is dropped as soon as the handled ones are half the log (each
   * splice then moves no more entries than it drops). Kept until 10,000 had gathered, the handled
   * entries (a pull's activity each) were 96 % of what a standalone hub under pulls kept alive
   * (V8's sampling heap profiler). Without a declaration, an undeclared group that subscribes
   * later gets what is still kept: the last 10,000.
   */
  private compact(): void {
    if (this.groups.size === 0) return;
    const done = Math.min(...[...this.groups.values()].map((g) => g.cursor));
    const handled = done - this.base;
    if (handled <= 0) return;
    if (this.declared ? handled * 2 < this.log.length : this.log.length < 10000) return;
    this.log.splice(0, done - this.base);
    this.base = done;
  }
}
