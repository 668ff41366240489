import { PROJECTIONS, ProjectionName, READ_SCHEMA } from '@dockyard/contracts';
import { RetryReport, StreamConsumer, StreamEffect, ownerStreamReader } from '@dockyard/eventstore';
import { HubRuntime } from '@dockyard/runtime';
import { projectAudit } from './audit/audit.projection';
import { projectImageMetadata } from './image-metadata/image-metadata.projection';
import { projectImages } from './images/images.projection';
import { projectRepository } from './repositories/repositories.projection';
import { projectUser } from './users/users.projection';

/** Each projection's fold of one event (run in the transaction that moves its checkpoint). */
export const PROJECTION_EFFECTS: Record<ProjectionName, StreamEffect> = {
  [PROJECTIONS.users]: projectUser,
  [PROJECTIONS.repositories]: projectRepository,
  [PROJECTIONS.images]: projectImages,
  [PROJECTIONS.imageMetadata]: projectImageMetadata,
  [PROJECTIONS.audit]: projectAudit,
};

export type ProjectionConsumers = Record<ProjectionName, StreamConsumer>;
export const PROJECTION_CONSUMERS = Symbol('ProjectionConsumers');

/**
 * The projector's consumers over schema `read`: per stream in version order, gaps repaired from the
 * owning service (`<service>.read-stream` over the bus), poison events parked in
 * `read.parked_events` (StreamConsumer).
 */
export function projectionConsumers(
  runtime: HubRuntime,
  options: { maxAttempts?: number; backoffMs?: number } = {},
): ProjectionConsumers {
  const logger = runtime.logger.child({ component: 'projector' });
  return Object.fromEntries(
    Object.entries(PROJECTION_EFFECTS).map(([projection, effect]) => [
      projection,
      new StreamConsumer({
        pool: runtime.pool('read'),
        schema: READ_SCHEMA,
        consumer: projection,
        effect,
        readStream: ownerStreamReader(runtime.bus, `projector-${projection}`),
        logger,
        ...options,
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
