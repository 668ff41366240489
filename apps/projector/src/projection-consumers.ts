import {
  ACCOUNTS_EVENTS,
  IMAGE_EVENTS,
  IMAGES_EVENTS,
  ORGANIZATION_EVENTS,
  PROJECTIONS,
  ProjectionName,
  READ_SCHEMA,
  REPOSITORIES_EVENTS,
  ServiceName,
} from '@dockyard/contracts';
import {
  READ_MODEL_CHANGES_CHANNEL,
  RetryReport,
  StreamConsumer,
  StreamEffect,
  ownerStreamReader,
} from '@dockyard/eventstore';
import { HubRuntime } from '@dockyard/runtime';
import { projectAudit } from './audit/audit.projection';
import { BatchFolds } from './batch-fold';
import { IMAGE_METADATA_BATCH_FOLDS, projectImageMetadata } from './image-metadata/image-metadata.projection';
import { IMAGES_BATCH_FOLDS, projectImages } from './images/images.projection';
import { projectOrganization } from './organizations/organizations.projection';
import { REPOSITORY_BATCH_FOLDS, projectRepository } from './repositories/repositories.projection';
import { USER_BATCH_FOLDS, projectUser } from './users/users.projection';

/**
 * What each projection folds: the events of these types, all published by `source`. The audit
 * projection is not here: it folds every service's events, beside the projection each feeds.
 */
export type FedProjection = Exclude<ProjectionName, 'audit'>;
export const PROJECTION_FEEDS: Record<FedProjection, { source: ServiceName; types: string[] }> = {
  [PROJECTIONS.users]: { source: 'accounts', types: Object.values(ACCOUNTS_EVENTS) },
  [PROJECTIONS.repositories]: { source: 'repositories', types: Object.values(REPOSITORIES_EVENTS) },
  [PROJECTIONS.images]: { source: 'images', types: Object.values(IMAGES_EVENTS) },
  [PROJECTIONS.imageMetadata]: { source: 'images', types: Object.values(IMAGE_EVENTS) },
  [PROJECTIONS.organizations]: { source: 'accounts', types: Object.values(ORGANIZATION_EVENTS) },
};

/** Each projection's fold of one event (run in the transaction that moves its checkpoint). */
export const PROJECTION_EFFECTS: Record<ProjectionName, StreamEffect> = {
  [PROJECTIONS.users]: projectUser,
  [PROJECTIONS.repositories]: projectRepository,
  [PROJECTIONS.images]: projectImages,
  [PROJECTIONS.imageMetadata]: projectImageMetadata,
  [PROJECTIONS.organizations]: projectOrganization,
  [PROJECTIONS.audit]: projectAudit,
};

/** Each projection's folds of many events at once, for the rebuild's copy (BatchFold). */
export const PROJECTION_BATCH_FOLDS: Partial<Record<FedProjection, BatchFolds>> = {
  [PROJECTIONS.users]: USER_BATCH_FOLDS,
  [PROJECTIONS.repositories]: REPOSITORY_BATCH_FOLDS,
  [PROJECTIONS.images]: IMAGES_BATCH_FOLDS,
  [PROJECTIONS.imageMetadata]: IMAGE_METADATA_BATCH_FOLDS,
};

/**
 * Whether a projection announces its applied events on the read-model channel: the live read models
 * the gateways hold in their hot views or wait on for read-your-writes. Not a rebuild's copy, and not
 * the audit, which no gateway holds or waits on: every gateway would parse its notifications (one per
 * event of every service) only to drop them, and they would crowd out the versions its
 * read-your-writes keeps as heard.
 */
const announces = (projection: ProjectionName, schema: string): boolean =>
  schema === READ_SCHEMA && projection !== PROJECTIONS.audit;

export type ProjectionConsumers = Record<ProjectionName, StreamConsumer>;
export const PROJECTION_CONSUMERS = Symbol('ProjectionConsumers');

/**
 * The projector's consumers over schema `read`: per stream in version order, gaps repaired from the
 * owning service (`<service>.read-stream` over the bus), poison events parked in
 * `read.parked_events` (StreamConsumer). The live read models (schema `read`) announce each applied
 * event on the read-model channel for the gateways' hot views and read-your-writes; a rebuild's
 * copy announces nothing (its swap announces a flush).
 */
export function projectionConsumers(
  runtime: HubRuntime,
  options: { maxAttempts?: number; backoffMs?: number; schema?: string } = {},
): ProjectionConsumers {
  const { schema = READ_SCHEMA, ...retries } = options;
  const logger = runtime.logger.child({ component: 'projector' });
  return Object.fromEntries(
    Object.entries(PROJECTION_EFFECTS).map(([projection, effect]) => [
      projection,
      new StreamConsumer({
        pool: runtime.pool('read'),
        schema,
        consumer: projection,
        effect,
        readStream: ownerStreamReader(runtime.bus, `projector-${projection}`),
        logger,
        notifyChannel: announces(projection as ProjectionName, schema)
          ? READ_MODEL_CHANGES_CHANNEL
          : undefined,
        ...retries,
      }),
    ]),
  ) as ProjectionConsumers;
}

/**
 * The projector's admin retry of parked events (it answers no commands, so this is called from
 * `retry-parked.main.ts`, or by whatever holds a runtime): every projection's, or one projection's,
 * or one stream's. Each stream's parked events are applied in order until one fails again.
 */
export async function retryParkedProjections(
  consumers: ProjectionConsumers,
  filter: { projection?: ProjectionName; streamId?: string } = {},
): Promise<Record<string, RetryReport>> {
  const reports: Record<string, RetryReport> = {};
  for (const [projection, consumer] of Object.entries(consumers)) {
    if (filter.projection && filter.projection !== projection) continue;
    reports[projection] = await consumer.retryParked({ streamId: filter.streamId });
  }
  return reports;
}
