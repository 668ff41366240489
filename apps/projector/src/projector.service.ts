import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PROJECTIONS, READ_SCHEMA } from '@dockyard/contracts';
import { applyOnce, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { CreateReadModels1732400002000 } from './read-model.migrations';
import { projectUser } from './users/users.projection';

/**
 * Consumes the services' events (consumer group `projector`: replicas share partitions) and folds
 * them into the read models, each event applied once per projection with its checkpoint in the same
 * transaction.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription?: Subscription;

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { bus, config, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'read'), READ_SCHEMA, [CreateReadModels1732400002000]);
    const pool = this.runtime.pool('read');
    this.subscription = await bus.subscribe('projector', ['accounts'], async (event) => {
      if (event.source === 'accounts') {
        await applyOnce(pool, READ_SCHEMA, PROJECTIONS.users, event, (client) => projectUser(client, event));
      }
    });
    logger.info('projector ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.close();
  }
}
