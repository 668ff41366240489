import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { REPOSITORIES_COMMANDS } from '@dockyard/contracts';
import { EventStore, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { CreateRepositoryHandler } from './application/create-repository.handler';
import { DeleteRepositoryHandler } from './application/delete-repository.handler';
import { UpdateRepositoryHandler } from './application/update-repository.handler';
import { CreateNameClaims1732400003000 } from './infrastructure/repositories.migrations';
import { REPOSITORIES_SCHEMA, RepositoryStore } from './infrastructure/repository.store';

/** The repositories service: owns repositories (names, visibility, descriptions, deletion). */
@Injectable()
export class RepositoriesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private commands?: Subscription;
  private relay?: OutboxRelay;

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, bus, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'repositories'), REPOSITORIES_SCHEMA, [CreateNameClaims1732400003000]);
    const pool = this.runtime.pool('repositories');
    const repositories = new RepositoryStore(new EventStore(pool, REPOSITORIES_SCHEMA), pool);
    this.relay = new OutboxRelay({
      pool,
      schema: REPOSITORIES_SCHEMA,
      source: 'repositories',
      publish: (events) => bus.publish('repositories', events),
      logger: logger.child({ component: 'repositories-relay' }),
    });
    await this.relay.start();
    const create = new CreateRepositoryHandler(repositories);
    const update = new UpdateRepositoryHandler(repositories);
    const remove = new DeleteRepositoryHandler(repositories);
    this.commands = await bus.serveCommands('repositories', {
      [REPOSITORIES_COMMANDS.CreateRepository]: (payload, metadata) => create.handle(payload as never, metadata),
      [REPOSITORIES_COMMANDS.UpdateRepository]: (payload, metadata) => update.handle(payload as never, metadata),
      [REPOSITORIES_COMMANDS.DeleteRepository]: (payload, metadata) => remove.handle(payload as never, metadata),
    });
    logger.info('repositories service ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.commands?.close();
    await this.relay?.stop();
  }
}
