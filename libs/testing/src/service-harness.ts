import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { DomainError, MessageMetadata, PublishedEvent, ServiceName } from '@dockyard/contracts';
import { DynamicModule, INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BusClient, BusServer, BusServerOptions, InProcessBus, Subscription, sendCommand } from '@dockyard/messaging';
import { HubRuntime, configureBusMicroservice, createHubRuntime, createLogger, loadHubConfig } from '@dockyard/runtime';
import { createTestDatabase } from './test-database';
import { waitUntil } from './wait-until';

/**
 * What a Nest integration suite of one service needs around it: a fresh database on the run's
 * PostgreSQL, a data folder, an InProcessBus and the HubRuntime built from them exactly as
 * `main.ts` builds it (loadHubConfig + createHubRuntime), plus a pool of the test's own to read
 * the tables the service wrote.
 */
export interface TestHub {
  url: string;
  dataDir: string;
  bus: InProcessBus;
  runtime: HubRuntime;
  /** The test's own pool on the suite's database (the runtime's pools belong to the services). */
  pool: Pool;
  close(): Promise<void>;
}

export async function createTestHub(label: string, env: Record<string, string> = {}): Promise<TestHub> {
  const url = await createTestDatabase(label);
  const dataDir = await mkdtemp(join(tmpdir(), `dockyard-${label}-`));
  const config = loadHubConfig({
    ...process.env,
    // No operator admin unless a suite asks for one: the accounts' start-up would create it.
    DOCKYARD_ADMIN_PASSWORD: '',
    DOCKYARD_ADMIN_PASSWORD_FILE: '',
    ...env,
    DATABASE_URL: url,
    DOCKYARD_DATA: dataDir,
  });
  const logger = createLogger(label, process.env.TEST_LOG_LEVEL ?? 'error');
  const bus = new InProcessBus({ logger, defaultTimeoutMs: config.commandTimeoutMs });
  const runtime = createHubRuntime(config, bus, logger);
  const pool = new Pool({ connectionString: url, max: 2 });
  return {
    url,
    dataDir,
    bus,
    runtime,
    pool,
    async close() {
      await runtime.close();
      await pool.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The metadata a gateway would attach to a command. */
export const testMetadata = (actor = 'user:test'): MessageMetadata => ({
  correlationId: randomUUID(),
  requestId: randomUUID(),
  actor,
});

export interface StoredEventRow {
  type: string;
  streamId: string;
  streamVersion: number;
  data: Record<string, unknown>;
  secret: Record<string, unknown> | null;
  metadata: Record<string, unknown>;
}

/** The rows of `<schema>.events`, in append order (optionally of one stream). */
export async function storedEvents(pool: Pool, schema: string, streamId?: string): Promise<StoredEventRow[]> {
  if (!/^[a-z_]+$/.test(schema)) throw new Error(`bad schema ${schema}`);
  const { rows } = await pool.query(
    `SELECT type, stream_id AS "streamId", stream_version AS "streamVersion", data, secret, metadata
       FROM ${schema}.events WHERE $1::text IS NULL OR stream_id = $1 ORDER BY position`,
    [streamId ?? null],
  );
  return rows;
}

export const countStoredEvents = async (pool: Pool, schema: string): Promise<number> =>
  (await storedEvents(pool, schema)).length;

/** A consumer group of its own on a service's events: what the bus carried, in order. */
export class EventProbe {
  readonly events: PublishedEvent[] = [];
  private subscription?: Subscription;

  static async start(
    bus: InProcessBus,
    source: ServiceName,
    group = `probe-${source}-${randomUUID()}`,
  ): Promise<EventProbe> {
    const probe = new EventProbe();
    probe.subscription = await bus.subscribe(group, [source], async (event) => {
      probe.events.push(event);
    });
    return probe;
  }

  /** Waits for the published events of one stream to reach `count`, and returns them. */
  async ofStream(streamId: string, count: number): Promise<PublishedEvent[]> {
    return waitUntil(
      () => {
        const found = this.events.filter((e) => e.streamId === streamId);
        return found.length >= count ? found : undefined;
      },
      { what: `${count} published event(s) of ${streamId}` },
    );
  }

  close(): Promise<void> {
    return this.subscription?.close() ?? Promise.resolve();
  }
}

/** A published event as a service's relay would publish it (for `@EventPattern` reactions). */
export const publishedEvent = (
  source: ServiceName,
  streamId: string,
  streamVersion: number,
  type: string,
  data: Record<string, unknown>,
): PublishedEvent => ({
  eventId: randomUUID(),
  source,
  streamId,
  streamVersion,
  position: String(streamVersion),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    correlationId: randomUUID(),
    actor: 'system:test',
    occurredAt: new Date(1700000000000 + streamVersion * 1000).toISOString(),
  },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

/** A service's Nest microservice as production runs it, on a test hub, with a client and an event probe. */
export interface ServiceUnderTest {
  hub: TestHub;
  app: INestMicroservice;
  client: BusClient;
  probe: EventProbe;
  /** A command to the service, with the suite's actor in its metadata. */
  send<T>(pattern: string, payload: unknown, key?: string): Promise<T>;
  /** A command that must be refused: the DomainError it got (fails if it was accepted). */
  refusal(pattern: string, payload: unknown): Promise<DomainError>;
  close(): Promise<void>;
}

/**
 * Builds `module` with `@nestjs/testing`, on the BusServer of its own `transport`, configured as
 * production configures it (validation pipe, error filter), and listening; plus a BusClient of
 * `service` and a probe of the events it publishes.
 */
export async function startServiceUnderTest(
  service: ServiceName,
  module: { forRuntime(runtime: HubRuntime): DynamicModule; transport: BusServerOptions },
  options: { env?: Record<string, string>; actor?: string } = {},
): Promise<ServiceUnderTest> {
  const hub = await createTestHub(service, options.env);
  const moduleRef = await Test.createTestingModule({ imports: [module.forRuntime(hub.runtime)] }).compile();
  const app = moduleRef.createNestMicroservice({ strategy: new BusServer(hub.bus, module.transport), logger: ['error'] });
  configureBusMicroservice(app);
  await app.listen();
  const client = new BusClient(hub.bus, service);
  const probe = await EventProbe.start(hub.bus, service);
  const send = <T>(pattern: string, payload: unknown, key?: string) =>
    sendCommand<T>(client, pattern, payload, testMetadata(options.actor), key);
  return {
    hub,
    app,
    client,
    probe,
    send,
    refusal: (pattern, payload) =>
      send(pattern, payload).then(
        () => {
          throw new Error(`${pattern} was accepted: ${JSON.stringify(payload)}`);
        },
        (error: unknown) => error as DomainError,
      ),
    close: async () => {
      await probe.close();
      await app.close();
      await hub.close();
    },
  };
}
