import { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MigrationInterface } from 'typeorm';
import { ServiceName } from '@dockyard/contracts';
import { OutboxRelay, runMigrations } from '@dockyard/eventstore';
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
export class ServiceStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
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
      logger: logger.child({ component: `${service}-relay` }),
    });
    await this.relay.start();
    logger.info(`${service} service ready`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
