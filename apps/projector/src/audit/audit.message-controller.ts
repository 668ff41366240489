import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ACCOUNTS_EVENTS,
  IMAGE_EVENTS,
  IMAGES_EVENTS,
  ORGANIZATION_EVENTS,
  PROJECTIONS,
  PublishedEvent,
  REPOSITORIES_EVENTS,
  REPOSITORY_ACTIVITY,
  RepositoryActivity,
  TOKENS_EVENTS,
} from '@dockyard/contracts';
import { PROJECTION_CONSUMERS, ProjectionConsumers } from '../projection-consumers';
import { AuditFeedTurn } from './audit-feed-turn';
import { AuditActivityThread } from './audit-activity-thread';
import { AuditInbox, batchedIntoFeed } from './audit-inbox';

/** Every service's facts, and the activity topic's pulls, pushes and logins. */
const AUDITED_EVENTS = [
  ...Object.values(ACCOUNTS_EVENTS),
  ...Object.values(ORGANIZATION_EVENTS),
  ...Object.values(REPOSITORIES_EVENTS),
  ...Object.values(IMAGES_EVENTS),
  ...Object.values(IMAGE_EVENTS),
  ...Object.values(TOKENS_EVENTS),
];

/**
 * Folds everything into the audit read model, in a consumer group of its own (`audit`): its writes
 * (every event a second time, through one feed-head row) are never on the path of the read models
 * a write's answer waits for, and it catches up on its own if it falls behind. A pull's TokenIssued
 * and the activity messages go through the inbox, which puts many in the feed per transaction
 * (audit-inbox.ts); the activity messages on a thread of their own (AuditActivityThread). Feed
 * writes of this thread take turns (AuditFeedTurn).
 */
@Controller()
export class AuditMessageController {
  constructor(
    @Inject(PROJECTION_CONSUMERS) private readonly consumers: ProjectionConsumers,
    @Inject(AuditInbox) private readonly inbox: AuditInbox,
    @Inject(AuditFeedTurn) private readonly turn: AuditFeedTurn,
    @Inject(AuditActivityThread) private readonly activityThread: AuditActivityThread,
  ) {}

  @EventPattern(AUDITED_EVENTS)
  async audit(@Payload() event: PublishedEvent) {
    if (batchedIntoFeed(event)) return this.inbox.receive(event);
    await this.turn.take(() => this.consumers[PROJECTIONS.audit].handle(event));
  }

  @EventPattern(REPOSITORY_ACTIVITY)
  async activity(@Payload() activity: RepositoryActivity) {
    await this.activityThread.receive(activity);
  }
}
