import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PROJECTIONS, PublishedEvent, REPOSITORY_ACTIVITY, RepositoryActivity } from '@dockyard/contracts';
import { ActivityInbox } from './activity/activity-inbox';
import { PROJECTION_CONSUMERS, PROJECTION_FEEDS, ProjectionConsumers } from './projection-consumers';

/**
 * Folds the services' facts into the read models (consumer group `projector`: replicas share the
 * partitions). Each event is applied once per read model, in stream order, its checkpoint moved in
 * the same transaction as the rows (StreamConsumer): a gap is repaired from the owner, an event that
 * keeps failing is parked (read.parked_events) so the partition moves on, and a transient failure
 * (PostgreSQL down) is thrown for the bus to retry. Activity messages are kept in the activity
 * inbox, whose writer counts the messages that wait together (activity-inbox.ts).
 */
@Controller()
export class ProjectionsMessageController {
  constructor(
    @Inject(PROJECTION_CONSUMERS) private readonly consumers: ProjectionConsumers,
    @Inject(ActivityInbox) private readonly activityInbox: ActivityInbox,
  ) {}

  @EventPattern(PROJECTION_FEEDS[PROJECTIONS.users].types)
  async users(@Payload() event: PublishedEvent) {
    await this.consumers[PROJECTIONS.users].handle(event);
  }

  @EventPattern(PROJECTION_FEEDS[PROJECTIONS.repositories].types)
  async repositories(@Payload() event: PublishedEvent) {
    await this.consumers[PROJECTIONS.repositories].handle(event);
  }

  @EventPattern(PROJECTION_FEEDS[PROJECTIONS.images].types)
  async images(@Payload() event: PublishedEvent) {
    await this.consumers[PROJECTIONS.images].handle(event);
  }

  @EventPattern(PROJECTION_FEEDS[PROJECTIONS.imageMetadata].types)
  async imageMetadata(@Payload() event: PublishedEvent) {
    await this.consumers[PROJECTIONS.imageMetadata].handle(event);
  }

  @EventPattern(PROJECTION_FEEDS[PROJECTIONS.organizations].types)
  async organizations(@Payload() event: PublishedEvent) {
    await this.consumers[PROJECTIONS.organizations].handle(event);
  }

  @EventPattern(REPOSITORY_ACTIVITY)
  async activity(@Payload() activity: RepositoryActivity) {
    await this.activityInbox.receive(activity);
  }
}
