import 'reflect-metadata';
import { PROJECTIONS, ProjectionName } from '@dockyard/contracts';
import { createDistributedRuntime } from '@dockyard/runtime';
import { projectionConsumers, retryParkedProjections } from './projection-consumers';

/**
 * Retries the projector's parked events (read.parked_events), distributed mode:
 * `node dist/apps/projector/src/retry-parked.main.js [projection] [streamId]` with the projector's
 * environment (DATABASE_URL..., KAFKA_BROKERS: gaps met on the way are repaired from their owner).
 * Prints what was applied and what is still parked per projection.
 */
async function main(): Promise<void> {
  const [projection, streamId] = process.argv.slice(2);
  if (projection && !(Object.values(PROJECTIONS) as string[]).includes(projection)) {
    throw new Error(`unknown projection ${projection} (one of ${Object.values(PROJECTIONS).join(', ')})`);
  }
  const runtime = await createDistributedRuntime('projector-retry-parked');
  try {
    const reports = await retryParkedProjections(projectionConsumers(runtime), {
      projection: projection as ProjectionName | undefined,
      streamId,
    });
    console.log(JSON.stringify(reports));
  } finally {
    await runtime.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
