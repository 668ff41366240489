import { randomUUID } from 'node:crypto';
import { Admin, Consumer, ConsumerRunConfig, EachMessagePayload, Kafka, logLevel, Partitioners, Producer } from 'kafkajs';
import {
  DEFAULT_TOPIC_PREFIX,
  DomainError,
  MessageMetadata,
  PublishedEvent,
  RepositoryActivity,
  SERVICES,
  ServiceName,
  TOPIC_RETENTION_MS,
  commandsTopic,
  eventsTopic,
  isDomainError,
  repliesTopic,
  activityTopic,
  activityTime,
} from '@dockyard/contracts';
import { BusStatus, ConsumerGroupStatus, ConsumerProgress } from './bus-status';
import { CommandEnvelope, CommandReply } from './command-envelope';
import { CommandLanes } from './command-lanes';
import { kafkaLogLevel } from './kafka-log-level';
import { OffsetCommits } from './kafka-offset-commits';
import { CommandDispatcher, EventHandler, MessageBus, SendOptions, Subscription } from './message-bus';
import { settledWithin } from './settled-within';

interface BusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  topicPrefix?: string;
  /** Partitions of the topics this bus creates (when they do not exist yet). */
  partitions?: number;
  /**
   * Replication of the topics this bus creates: 1 on a single broker (tests, one machine), 3 in a
   * cluster, where `min.insync.replicas=2` then makes an acks=all write survive one broker's loss.
   */
  replicationFactor?: number;
  defaultTimeoutMs?: number;
  logger?: BusLogger;
}

/** One consumer of this bus, watched for `status()`. */
interface TrackedConsumer {
  groupId: string;
  topics: string[];
  progress: ConsumerProgress;
  /** False for the reply consumer: it reads every replica's replies, its offsets say nothing about this one. */
  measured: boolean;
  fromBeginning: boolean;
  /** What it runs, to run it again after a crash kafkajs does not restart from. */
  run?: ConsumerRunConfig;
  commits?: OffsetCommits;
  /** A command consumer's running commands. */
  lanes?: CommandLanes;
}

/** Commands a command consumer runs at once (across keys; one at a time per key): CommandLanes. */
const COMMANDS_RUNNING_PER_CONSUMER = 32;
/**
 * How long stopping a consumer takes at most: its running commands finish, then its last offset
 * commit and its leaving the group, each waiting for the broker only what is left of this. With the
 * broker away, kafkajs retries each of those (and a command's reply) for tens of seconds: a
 * projector stopping its four consumers one by one took 85–94 s to exit, far past the 30 s
 * Kubernetes and the 10 s Docker wait before SIGKILL. Given up, what was handled since the last
 * commit that landed is delivered again, which every handler here takes (OffsetCommits), and the
 * group drops the member when its session times out.
 */
const CONSUMER_STOP_MS = 4000;
/** How long stopping waits for each producer's disconnect, for the same reason. */
const PRODUCER_STOP_MS = 2000;

/** How often a consumer commits what it handled (OffsetCommits); a crash delivers that much again. */
const COMMIT_INTERVAL_MS = 1000;

/** Waits before running a consumer again that crashed for good, doubling up to the last. */
const REVIVE_BACKOFF_MS = [500, 1000, 2000, 5000];

/** A status read within this long is answered again (probes and scrapes of several callers). */
const STATUS_CACHE_MS = 1000;
/** The broker must answer a status read within this long, or it counts as not connected. */
const STATUS_TIMEOUT_MS = 2000;

interface PendingReply {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

// Short sessions: a replica that leaves is replaced quickly. The fetch wait only bounds an idle
// long-poll (data is returned as soon as it arrives, whatever the wait), so it adds no latency; it
// is what an idle consumer costs the broker and itself: at 100 ms, an idle distributed hub's
// consumers kept the broker at 0.14 of a core (from /proc); at 500 ms, 0.03. A disconnect() waits at
// most that long for the last long-poll (infra-notes §4.7).
const CONSUMER_TUNING = {
  sessionTimeout: 10000,
  rebalanceTimeout: 10000,
  heartbeatInterval: 1000,
  maxWaitTimeInMs: 500,
  allowAutoTopicCreation: false,
  retry: { initialRetryTime: 100, retries: 8 },
};

/**
 * The distributed bus on Kafka (kafkajs). Commands go to `<prefix>.<service>.commands` keyed by
 * aggregate, so one aggregate's commands are handled in order; replies come back on the shared
 * `<prefix>.replies`, which every requesting instance reads in a consumer group of its own and
 * filters by its instance id — simple, at the cost of each requester reading all replies (fine for
 * a handful of gateway replicas; per-instance reply partitions are the next step if that shows).
 * Events go to `<prefix>.<source>.events` keyed by stream id.
 */
export class KafkaBus implements MessageBus {
  /**
   * With the broker away, kafkajs retries a publish for tens of seconds: a service whose relay had
   * something to publish took 11–12 s to stop, past the 10 s `docker stop` waits.
   */
  readonly publishStopWaitMs = 2000;
  private readonly kafka: Kafka;
  private readonly prefix: string;
  private readonly instanceId = randomUUID();
  private readonly pending = new Map<string, PendingReply>();
  private readonly consumers = new Map<Consumer, TrackedConsumer>();
  private lastStatus?: { at: number; status: BusStatus };
  private statusRead?: Promise<BusStatus>;
  private admin?: Admin;
  private producer?: Producer;
  private eventProducer?: Producer;
  /**
   * The reply consumer, started by the first command sent. One promise, shared: concurrent first
   * sends must not each start a consumer in the same group (they would rebalance one another, and one
   * left without a partition never fetches, so its send never leaves).
   */
  private replyConsumer?: Promise<Consumer>;
  private closing = false;

  constructor(private readonly options: KafkaBusOptions) {
    this.prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
    const logger = options.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      connectionTimeout: 3000,
      retry: { initialRetryTime: 100, retries: 10 },
      logLevel: logLevel.WARN,
      logCreator: () => ({ level, log }) => {
        if (!logger) return;
        const { message, ...rest } = log;
        logger[kafkaLogLevel(level, log)](rest, `kafka: ${message}`);
      },
    });
  }

  /** Creates the topics (never left to broker auto-creation) and connects the producer. */
  async connect(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const retention = (kind: keyof typeof TOPIC_RETENTION_MS) => (topic: string) => ({ topic, retentionMs: TOPIC_RETENTION_MS[kind] });
    await this.ensureTopics([
      ...SERVICES.map((s) => eventsTopic(s, this.prefix)).map(retention('events')),
      ...SERVICES.map((s) => commandsTopic(s, this.prefix)).map(retention('commands')),
      retention('replies')(repliesTopic(this.prefix)),
      retention('activity')(activityTopic(this.prefix)),
    ]);
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: false,
    });
    // Events get a producer of their own that is idempotent (acks=all, one request in flight, so a
    // retried batch can neither duplicate nor reorder a stream's events on the broker); commands and
    // replies keep the pipelined one, their duplicates are answered by command id.
    this.eventProducer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await Promise.all([this.producer.connect(), this.eventProducer.connect()]);
  }

  /**
   * Creates what is missing and waits until every topic has a leader that serves. Replicas starting together
   * race to create the same topics; the losers see "already exists" or a topic without metadata
   * yet, so this retries until the broker answers for all of them.
   */
  private async ensureTopics(wanted: { topic: string; retentionMs: number }[]): Promise<void> {
    const topics = wanted.map((w) => w.topic);
    const replicationFactor = this.options.replicationFactor ?? 1;
    const deadline = Date.now() + 60000;
    for (;;) {
      try {
        const existing = new Set(await this.admin!.listTopics());
        const missing = topics.filter((t) => !existing.has(t));
        if (missing.length > 0) {
          await this.admin!.createTopics({
            waitForLeaders: true,
            topics: wanted
              .filter((w) => missing.includes(w.topic))
              .map(({ topic, retentionMs }) => ({
                topic,
                numPartitions: this.options.partitions ?? 3,
                replicationFactor,
                configEntries: [
                  { name: 'retention.ms', value: String(retentionMs) },
                  ...(replicationFactor >= 3 ? [{ name: 'min.insync.replicas', value: '2' }] : []),
                ],
              })),
          });
        }
        await this.admin!.fetchTopicMetadata({ topics });
        // A leader in the metadata is not yet a leader that serves: for a moment after creation the
        // broker still answers "not the leader" to offset reads, which a consumer's first fetch makes.
        await Promise.all(topics.map((topic) => this.admin!.fetchTopicOffsets(topic)));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async send<TReply>(
    service: ServiceName,
    pattern: string,
    payload: unknown,
    metadata: MessageMetadata,
    options: SendOptions = {},
  ): Promise<TReply> {
    await this.ensureReplyConsumer();
    const requestId = randomUUID();
    const timeoutMs = options.timeoutMs ?? this.options.defaultTimeoutMs ?? 10000;
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new DomainError('unavailable', `${service} did not answer in time`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
    });
    // The reply timer runs while producer.send may still be retrying (a broker that is down): the
    // caller hears "unavailable" at the timeout, whichever of the two is still pending, and neither
    // rejection goes unobserved.
    reply.catch(() => undefined);
    const envelope: CommandEnvelope = { pattern, payload, metadata, expiresAt: Date.now() + timeoutMs };
    const sent = this.producer!.send({
      topic: commandsTopic(service, this.prefix),
      acks: -1,
      messages: [
        {
          key: options.key ?? metadata.correlationId,
          value: JSON.stringify(envelope),
          headers: { requestId, replyTo: this.instanceId, correlationId: metadata.correlationId },
        },
      ],
    }).then(
      () => reply,
      (error: unknown) => {
        const waiting = this.pending.get(requestId);
        if (waiting) {
          clearTimeout(waiting.timer);
          this.pending.delete(requestId);
        }
        this.options.logger?.error({ err: error, service, pattern }, 'command could not be sent');
        throw new DomainError('unavailable', `${service} is not reachable`);
      },
    );
    sent.catch(() => undefined);
    return (await Promise.race([sent, reply])) as TReply;
  }

  async serveCommands(service: ServiceName, dispatch: CommandDispatcher): Promise<Subscription> {
    const consumer = await this.startConsumer(
      `${this.prefix}.${service}.commands`,
      [commandsTopic(service, this.prefix)],
      true, // commands sent before this group first joined still count; expired ones are dropped
    );
    const joined = this.joined(consumer);
    const commits = new OffsetCommits(consumer, COMMIT_INTERVAL_MS, this.options.logger);
    // Handed to a lane per key, so the consumer fetches on while a command runs (CommandLanes).
    const lanes = new CommandLanes(COMMANDS_RUNNING_PER_CONSUMER, (handled) => commits.handledThrough(handled));
    this.consumers.get(consumer)!.lanes = lanes;
    await this.run(
      consumer,
      {
        partitionsConsumedConcurrently: this.options.partitions ?? 3,
        eachMessage: async ({ topic, partition, message }) => {
          const lane = { topic, partition, offset: message.offset, key: message.key?.toString() ?? null };
          const requestId = message.headers?.requestId?.toString();
          const replyTo = message.headers?.replyTo?.toString();
          let envelope: CommandEnvelope;
          try {
            envelope = JSON.parse(message.value?.toString() ?? '');
          } catch {
            this.options.logger?.warn({ requestId }, 'malformed command dropped');
            return lanes.admit(lane, async () => undefined);
          }
          if (!requestId || !replyTo) return lanes.admit(lane, async () => undefined); // nobody waits for it
          await lanes.admit(lane, async () => {
            if (Date.now() > envelope.expiresAt) return; // its sender gave up while it waited in its lane
            const reply = await this.answer(dispatch, envelope);
            await this.sendReply(replyTo, requestId, reply, envelope.expiresAt);
            this.progressOf(consumer).handled();
          });
        },
      },
      commits,
    );
    await joined;
    return { close: () => this.stopConsumer(consumer) };
  }

  /**
   * Sends a command's reply, again after a failure until its sender has given up (a redelivery of
   * the command would only answer the recorded outcome again: its offset is passed on either way).
   */
  private async sendReply(replyTo: string, requestId: string, reply: CommandReply, expiresAt: number): Promise<void> {
    for (let backoff = 100; ; backoff = Math.min(backoff * 2, 1000)) {
      try {
        await this.producer!.send({
          topic: repliesTopic(this.prefix),
          acks: -1,
          messages: [{ key: replyTo, value: JSON.stringify(reply), headers: { requestId, replyTo } }],
        });
        return;
      } catch (error) {
        if (this.closing || Date.now() + backoff > expiresAt) {
          this.options.logger?.warn({ err: error, requestId }, 'reply not sent; its sender hears a timeout');
          return;
        }
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  async publish(source: ServiceName, events: PublishedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.eventProducer!.send({
      topic: eventsTopic(source, this.prefix),
      acks: -1,
      messages: events.map((event) => ({
        key: event.streamId,
        value: JSON.stringify(event),
        headers: { eventId: event.eventId, type: event.type, correlationId: event.metadata.correlationId },
      })),
    });
  }

  async subscribe(group: string, sources: ServiceName[], handler: EventHandler): Promise<Subscription> {
    const consumer = await this.startConsumer(
      `${this.prefix}.${group}`,
      sources.map((s) => eventsTopic(s, this.prefix)),
      true,
    );
    const joined = this.joined(consumer);
    await this.run(consumer, {
      partitionsConsumedConcurrently: this.options.partitions ?? 3,
      eachMessage: (payload) => this.deliver(handler, payload, this.progressOf(consumer)),
    });
    await joined;
    return { close: () => this.stopConsumer(consumer) };
  }

  async recordActivity(activity: RepositoryActivity): Promise<void> {
    await this.producer!.send({
      topic: activityTopic(this.prefix),
      acks: -1,
      messages: [{ key: activity.repositoryId, value: JSON.stringify(activity) }],
    });
  }

  async subscribeActivity(group: string, handler: (activity: RepositoryActivity) => Promise<void>): Promise<Subscription> {
    const consumer = await this.startConsumer(`${this.prefix}.${group}`, [activityTopic(this.prefix)], true);
    const joined = this.joined(consumer);
    await this.run(consumer, {
      // Partitions at once, as events: activity is counts and audit entries deduplicated by id, so
      // its order does not matter, and deliveries that overlap are what the projector's inboxes fold
      // together (apps/projector/src/inbox-writer.ts).
      partitionsConsumedConcurrently: this.options.partitions ?? 3,
      eachMessage: async ({ message, heartbeat }) => {
        let activity: RepositoryActivity;
        try {
          activity = JSON.parse(message.value?.toString() ?? '');
        } catch {
          return; // malformed: it can never be counted
        }
        let backoff = 100;
        for (;;) {
          try {
            await handler(activity);
            this.progressOf(consumer).handled(activityTime(activity));
            return;
          } catch (error) {
            if (this.closing) throw error;
            this.options.logger?.warn({ err: error }, 'activity handler failed; retrying');
            await new Promise((r) => setTimeout(r, backoff));
            backoff = Math.min(backoff * 2, 5000);
            await heartbeat().catch(() => undefined);
          }
        }
      },
    });
    await joined;
    return { close: () => this.stopConsumer(consumer) };
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.consumers.keys()].map((c) => this.stopConsumer(c)));
    for (const [, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new DomainError('unavailable', 'bus closed'));
    }
    this.pending.clear();
    await Promise.all(
      [this.producer, this.eventProducer, this.admin].map((client) => settledWithin(PRODUCER_STOP_MS, client?.disconnect())),
    );
  }

  /** Retries a failing handler on the same event (heartbeating meanwhile): never skips it. */
  private async deliver(handler: EventHandler, { message, heartbeat, topic, partition }: EachMessagePayload, progress: ConsumerProgress) {
    let event: PublishedEvent;
    try {
      event = JSON.parse(message.value?.toString() ?? '');
      if (typeof event?.streamId !== 'string' || typeof event?.streamVersion !== 'number') throw new Error('not an event');
    } catch (error) {
      // It can never succeed: retrying would stop the partition for good.
      this.options.logger?.error({ err: error, topic, partition, offset: message.offset }, 'malformed event skipped');
      return;
    }
    let backoff = 100;
    for (;;) {
      try {
        await handler(event);
        progress.handled(event.metadata?.occurredAt);
        return;
      } catch (error) {
        if (this.closing) throw error; // leave it uncommitted for the next member
        this.options.logger?.warn(
          { err: error, eventId: event.eventId, correlationId: event.metadata?.correlationId, topic },
          'event handler failed; retrying',
        );
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
        await heartbeat().catch(() => undefined);
      }
    }
  }

  private async answer(dispatch: CommandDispatcher, envelope: CommandEnvelope): Promise<CommandReply> {
    try {
      return { ok: true, result: (await dispatch(envelope.pattern, envelope.payload, envelope.metadata)) ?? null };
    } catch (error) {
      if (isDomainError(error)) return { ok: false, error: { code: error.code, message: error.message } };
      this.options.logger?.error(
        { err: error, pattern: envelope.pattern, correlationId: envelope.metadata.correlationId },
        'command failed',
      );
      return { ok: false, error: { code: 'internal', message: 'internal error' } };
    }
  }

  /**
   * The consumer of this instance's replies, joined before the first command leaves. It need not
   * have fetched yet: it reads from offsets fixed before it started (see `startReplyConsumer`).
   */
  private async ensureReplyConsumer(): Promise<void> {
    this.replyConsumer ??= this.startReplyConsumer().catch((error: unknown) => {
      this.replyConsumer = undefined; // the next send tries again
      this.options.logger?.error({ err: error }, 'the reply consumer could not start');
      throw new DomainError('unavailable', 'replies cannot be read');
    });
    await this.replyConsumer;
  }

  private async startReplyConsumer(): Promise<Consumer> {
    const groupId = `${this.prefix}.replies.${this.instanceId}`;
    const topic = repliesTopic(this.prefix);
    // Read from where the replies topic ends now, set by a seek rather than left to "latest": kafkajs
    // resolves "latest" on the consumer's first fetch, and a first fetch that failed (a topic created
    // a moment ago answers "not the leader") still counts as one, so a reply written before a retry
    // resolved "latest" was skipped and its send timed out. No reply to this instance predates these
    // offsets, and none after them is skipped, however late the fetch. The reads are replies only:
    // a message is handled by its request id, once, so reading one twice is harmless.
    const ends = await this.admin!.fetchTopicOffsets(topic);
    const consumer = await this.startConsumer(groupId, [topic], false, false);
    await this.run(consumer, {
      eachMessage: async ({ message }) => {
        if (message.headers?.replyTo?.toString() !== this.instanceId) return;
        const waiting = this.pending.get(message.headers?.requestId?.toString() ?? '');
        if (!waiting) return;
        this.pending.delete(message.headers!.requestId!.toString());
        clearTimeout(waiting.timer);
        const reply = JSON.parse(message.value!.toString()) as CommandReply;
        if (reply.ok) waiting.resolve(reply.result);
        else if (reply.error.code === 'internal') waiting.reject(new Error(reply.error.message));
        else waiting.reject(new DomainError(reply.error.code, reply.error.message));
      },
    });
    for (const { partition, high } of ends) consumer.seek({ topic, partition, offset: high });
    // Committed too, so a consumer kafkajs restarts (or `revive` runs again) resumes from here, not
    // from a "latest" resolved after its restart.
    await consumer.commitOffsets(ends.map(({ partition, high }) => ({ topic, partition, offset: high })));
    return consumer;
  }

  private async startConsumer(groupId: string, topics: string[], fromBeginning = false, measured = true): Promise<Consumer> {
    const consumer = this.kafka.consumer({ groupId, ...CONSUMER_TUNING });
    const progress = new ConsumerProgress(groupId);
    // Joined from its first GROUP_JOIN until it crashes or stops; kafkajs restarts a crashed
    // consumer by itself (retriable errors), and its next GROUP_JOIN makes it joined again.
    consumer.on(consumer.events.GROUP_JOIN, () => (progress.joined = true));
    for (const left of [consumer.events.CRASH, consumer.events.STOP, consumer.events.DISCONNECT]) {
      consumer.on(left, () => (progress.joined = false));
    }
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) void this.revive(consumer, payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning });
    this.consumers.set(consumer, { groupId, topics, progress, measured, fromBeginning });
    return consumer;
  }

  /**
   * Runs `config` with its handled offsets committed by an OffsetCommits, not by kafkajs per batch:
   * each message once its `eachMessage` resolves, or, given `reported`, what the caller reports there.
   */
  private async run(consumer: Consumer, config: ConsumerRunConfig, reported?: OffsetCommits): Promise<void> {
    const commits = reported ?? new OffsetCommits(consumer, COMMIT_INTERVAL_MS, this.options.logger);
    const eachMessage = config.eachMessage!;
    const run: ConsumerRunConfig = {
      ...config,
      autoCommit: false,
      eachMessage: reported
        ? eachMessage
        : async (payload) => {
            await eachMessage(payload);
            commits.handledMessage(payload);
          },
    };
    const tracked = this.consumers.get(consumer);
    if (tracked) Object.assign(tracked, { run, commits });
    await consumer.run(run);
  }

  /**
   * kafkajs restarts a consumer that crashed on a retriable error, but not one that crashed on an
   * error it deems final — which a broker restart can cause (a stale generation or member id, a
   * coordinator that moved: kafkajs#1466). Left alone, that group would consume nothing until the
   * process restarts: a service that no longer answers its commands. So the consumer is connected
   * and run again here, with a backoff, until it runs or the bus closes.
   */
  private async revive(consumer: Consumer, error: Error): Promise<void> {
    for (let attempt = 0; !this.closing; attempt++) {
      const tracked = this.consumers.get(consumer);
      if (!tracked?.run) return;
      this.options.logger?.error({ err: error, groupId: tracked.groupId, attempt }, 'kafka consumer crashed for good; running it again');
      await new Promise((r) => setTimeout(r, REVIVE_BACKOFF_MS[Math.min(attempt, REVIVE_BACKOFF_MS.length - 1)]));
      if (this.closing || !this.consumers.has(consumer)) return;
      try {
        await consumer.disconnect().catch(() => undefined);
        await consumer.connect();
        await consumer.subscribe({ topics: tracked.topics, fromBeginning: tracked.fromBeginning });
        await consumer.run(tracked.run);
        return;
      } catch (failure) {
        error = failure as Error;
      }
    }
  }

  private progressOf(consumer: Consumer): ConsumerProgress {
    return this.consumers.get(consumer)?.progress ?? new ConsumerProgress('closed');
  }

  /**
   * The broker answers (a cluster description) and each group's entries behind (high watermark −
   * committed offset per partition). Read at most once a second, and bounded in time: a broker that
   * is down makes kafkajs retry for long, so the caller gets "not connected" after two seconds
   * while that one read goes on (a later call waits for the same read, never starts another).
   */
  async status(): Promise<BusStatus> {
    if (this.lastStatus && Date.now() - this.lastStatus.at < STATUS_CACHE_MS) return this.lastStatus.status;
    this.statusRead ??= this.readStatus().finally(() => (this.statusRead = undefined));
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), STATUS_TIMEOUT_MS)));
    const status = await Promise.race([this.statusRead.catch(() => undefined), expired]).finally(() => clearTimeout(timer));
    if (!status) return { connected: false, consumers: this.unmeasured() };
    this.lastStatus = { at: Date.now(), status };
    return status;
  }

  private unmeasured(): ConsumerGroupStatus[] {
    return [...this.consumers.values()].map(({ progress }) => progress.status(undefined));
  }

  private async readStatus(): Promise<BusStatus> {
    const admin = this.admin;
    if (!admin || this.closing) return { connected: false, consumers: this.unmeasured() };
    await admin.describeCluster();
    const highWatermarks = new Map<string, Promise<Map<number, { high: number; low: number }>>>();
    const offsetsOf = (topic: string) => {
      let offsets = highWatermarks.get(topic);
      if (!offsets) {
        offsets = admin
          .fetchTopicOffsets(topic)
          .then((partitions) => new Map(partitions.map((p) => [p.partition, { high: Number(p.high), low: Number(p.low) }])));
        highWatermarks.set(topic, offsets);
      }
      return offsets;
    };
    const consumers = await Promise.all(
      [...this.consumers.values()].map(async ({ groupId, topics, progress, measured }) => {
        if (!measured) return progress.status(undefined);
        const behind = await this.entriesBehind(groupId, topics, offsetsOf).catch(() => undefined);
        return progress.status(behind);
      }),
    );
    return { connected: true, consumers };
  }

  /** Entries of `topics` the group has not committed; a partition it never committed counts from its first entry. */
  private async entriesBehind(
    groupId: string,
    topics: string[],
    offsetsOf: (topic: string) => Promise<Map<number, { high: number; low: number }>>,
  ): Promise<number> {
    const committed = await this.admin!.fetchOffsets({ groupId, topics });
    let behind = 0;
    for (const { topic, partitions } of committed) {
      const watermarks = await offsetsOf(topic);
      for (const { partition, offset } of partitions) {
        const marks = watermarks.get(partition);
        if (!marks) continue;
        const at = Number(offset) < 0 ? marks.low : Number(offset);
        behind += Math.max(0, marks.high - at);
      }
    }
    return behind;
  }

  /** Resolves once the consumer has joined its group (or after `timeoutMs`): a service is ready when it consumes. */
  private joined(consumer: Consumer, timeoutMs = 30000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const off = consumer.on(consumer.events.GROUP_JOIN, done);
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  }

  private async stopConsumer(consumer: Consumer): Promise<void> {
    const tracked = this.consumers.get(consumer);
    if (!tracked) return;
    this.consumers.delete(consumer);
    // Commands still running finish first (bounded: each ends by its own timeouts), so their
    // offsets are in the last commit and the next member does not run them again.
    const deadline = Date.now() + CONSUMER_STOP_MS;
    const left = () => Math.max(0, deadline - Date.now());
    if (tracked.lanes) await settledWithin(left(), tracked.lanes.drained());
    await settledWithin(left(), tracked.commits?.commit());
    await settledWithin(left(), consumer.disconnect());
  }
}
