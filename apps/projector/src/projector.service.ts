import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PROJECTIONS, READ_SCHEMA } from '@dockyard/contracts';
import { applyOnce, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { CreateCountedActivity1732400008000 } from './activity/activity.migrations';
import { projectActivity } from './activity/activity.projection';
import { CreateImageMetadata1732400007000, ImagesByNamespace1732400013000 } from './image-metadata/image-metadata.migrations';
import { projectImageMetadata } from './image-metadata/image-metadata.projection';
import { CreateImageFetches1732400013100 } from './image-fetches/image-fetches.migrations';
import { projectImages } from './images/images.projection';
import { CreateReadModels1732400002000 } from './read-model.migrations';
import { AddUserRoles1732400010000 } from './users/user-roles.migrations';
import { projectRepository } from './repositories/repositories.projection';
import { CreateRepositoryReadModels1732400006000 } from './repository-read-models.migrations';
import { projectUser } from './users/users.projection';

/**
 * Consumes the services' events (consumer group `projector`: replicas share partitions) and folds
 * them into the read models, each event applied once per projection with its checkpoint in the same
 * transaction.
 */
@Injectable()
export class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { bus, config, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'read'), READ_SCHEMA, [
      CreateReadModels1732400002000,
      CreateRepositoryReadModels1732400006000,
      CreateImageMetadata1732400007000,
      CreateCountedActivity1732400008000,
      AddUserRoles1732400010000,
      ImagesByNamespace1732400013000,
      CreateImageFetches1732400013100,
    ]);
    const pool = this.runtime.pool('read');
    const projections = {
      accounts: [PROJECTIONS.users, projectUser],
      repositories: [PROJECTIONS.repositories, projectRepository],
      images: [PROJECTIONS.images, projectImages],
    } as const;
    this.subscriptions.push(await bus.subscribeActivity('projector-activity', (activity) => projectActivity(pool, activity)));
    this.subscriptions.push(await bus.subscribe('projector', ['accounts', 'repositories', 'images'], async (event) => {
      // The images service holds two aggregates: repository image lists and images (per namespace).
      const projection = event.streamId.startsWith('image-')
        ? ([PROJECTIONS.imageMetadata, projectImageMetadata] as const)
        : projections[event.source as keyof typeof projections];
      if (!projection) return;
      const [name, project] = projection;
      await applyOnce(pool, READ_SCHEMA, name, event, (client) => project(client, event));
    }));
    logger.info('projector ready');
  }

  async onApplicationShutdown(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) await subscription.close();
  }
}
