import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MigrationInterface } from 'typeorm';
import { ServiceName } from '@dockyard/contracts';
import { HandledCommands, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { databaseUrlFor } from './hub-config';
import { HubRuntime } from './hub-runtime';

export interface ServiceStoreOptions {
  service: ServiceName;
  schema: string;
  migrations: (new () => MigrationInterface)[];
  /** Runs once the schema is migrated, before the relay and before any command is served. */
  afterMigrations?: () => Promise<void>;
}

/**
 * A service's event store as a Nest lifecycle: its schema migrated and its outbox relay publishing
 * before the microservice starts serving (Nest runs bootstrap hooks before the transport listens),
 * the relay stopped after the transport has closed.
 */
/** How long handled command ids are remembered: far longer than any sender waits for a reply. */
export const HANDLED_COMMANDS_RETENTION_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export class ServiceStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private pruning?: NodeJS.Timeout;
  private migration?: Promise<void>;

  constructor(
    private readonly runtime: HubRuntime,
    private readonly options: ServiceStoreOptions,
  ) {}

  /** The schema, migrated once; a provider that reads its own tables at construction awaits it. */
  migrated(): Promise<void> {
    const { service, schema, migrations } = this.options;
    this.migration ??= runMigrations(databaseUrlFor(this.runtime.config, service), schema, migrations);
    return this.migration;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { bus, logger } = this.runtime;
    const { service, schema } = this.options;
    await this.migrated();
    await this.options.afterMigrations?.();
    this.relay = new OutboxRelay({
      pool: this.runtime.pool(service),
      schema,
      source: service,
      publish: (events) => bus.publish(service, events),
      publishAhead: bus.publishAhead,
      stopWaitMs: bus.publishStopWaitMs,
      logger: logger.child({ component: `${service}-relay` }),
    });
    await this.relay.start();
    this.pruneHandledCommands();
    logger.info(`${service} service ready`);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.relay?.stop();
  }

  /** Forgets handled command ids past the retention (at least twice the command timeout), hourly. */
  private pruneHandledCommands(): void {
    const { config, logger } = this.runtime;
    const handled = new HandledCommands(this.runtime.pool(this.options.service), this.options.schema);
    const retention = Math.max(HANDLED_COMMANDS_RETENTION_MS, 2 * config.commandTimeoutMs);
    const prune = () =>
      handled.prune(retention).catch((error: unknown) => logger.warn({ err: error }, `pruning ${this.options.schema}.handled_commands failed`));
    void prune();
    this.pruning = setInterval(prune, PRUNE_EVERY_MS);
    this.pruning.unref();
  }
}
