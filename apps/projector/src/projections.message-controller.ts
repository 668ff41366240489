import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  IMAGE_EVENTS,
  IMAGES_EVENTS,
  PROJECTIONS,
  PublishedEvent,
  READ_SCHEMA,
  REPOSITORIES_EVENTS,
  REPOSITORY_ACTIVITY,
  RepositoryActivity,
} from '@dockyard/contracts';
import { applyOnce } from '@dockyard/eventstore';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { projectActivity } from './activity/activity.projection';
import { projectImageMetadata } from './image-metadata/image-metadata.projection';
import { projectImages } from './images/images.projection';
import { projectRepository } from './repositories/repositories.projection';
import { projectUser } from './users/users.projection';

/**
 * Folds the services' facts into the read models (consumer group `projector`: replicas share the
 * partitions). Each event is applied once per read model, its checkpoint moved in the same
 * transaction as the rows (applyOnce); the bus retries a failing one and never skips it.
 */
@Controller()
export class ProjectionsMessageController {
  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  @EventPattern(Object.values(ACCOUNTS_EVENTS))
  users(@Payload() event: PublishedEvent) {
    return this.apply(PROJECTIONS.users, event, projectUser);
  }

  @EventPattern(Object.values(REPOSITORIES_EVENTS))
  repositories(@Payload() event: PublishedEvent) {
    return this.apply(PROJECTIONS.repositories, event, projectRepository);
  }

  @EventPattern(Object.values(IMAGES_EVENTS))
  images(@Payload() event: PublishedEvent) {
    return this.apply(PROJECTIONS.images, event, projectImages);
  }

  @EventPattern(Object.values(IMAGE_EVENTS))
  imageMetadata(@Payload() event: PublishedEvent) {
    return this.apply(PROJECTIONS.imageMetadata, event, projectImageMetadata);
  }

  @EventPattern(REPOSITORY_ACTIVITY)
  activity(@Payload() activity: RepositoryActivity) {
    return projectActivity(this.runtime.pool('read'), activity);
  }

  private async apply(
    projection: string,
    event: PublishedEvent,
    project: (client: PoolClient, event: PublishedEvent) => Promise<void>,
  ): Promise<void> {
    await applyOnce(this.runtime.pool('read'), READ_SCHEMA, projection, event, (client) => project(client, event));
  }
}
