import 'reflect-metadata';
import { join } from 'node:path';
import { INestMicroservice } from '@nestjs/common';
import { AccountsModule } from '@dockyard/accounts';
import { ImagesModule } from '@dockyard/images';
import { RepositoriesModule } from '@dockyard/repositories';
import { TokensModule } from '@dockyard/tokens';
import { createGatewayApp } from '@dockyard/gateway';
import { InProcessBus } from '@dockyard/messaging';
import { ProjectorModule } from '@dockyard/projector';
import { createHubRuntime, createLogger, guardProcess, loadHubConfig, startBusMicroservice, startEmbeddedPostgres } from '@dockyard/runtime';

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
    : await startEmbeddedPostgres({ dataDir: join(config.dataDir, 'pg'), port: config.embeddedPostgresPort });
  if (embedded) config.databaseUrl = embedded.url;

  const bus = new InProcessBus({ logger: logger.child({ component: 'bus' }), defaultTimeoutMs: config.commandTimeoutMs });
  const runtime = createHubRuntime(config, bus, logger);
  // The same microservices as distributed mode, each on the in-process bus instead of Kafka.
  const services: INestMicroservice[] = [];
  for (const module of [ProjectorModule, AccountsModule, RepositoriesModule, ImagesModule, TokensModule]) {
    services.push(await startBusMicroservice(module.forRuntime(runtime), bus, module.transport));
  }
  const gateway = await createGatewayApp(runtime);
  await gateway.listen(config.port, config.host);
  logger.info({ port: config.port, dataDir: config.dataDir }, 'Dockyard standalone hub listening');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gateway.close();
    for (const service of services.reverse()) await service.close();
    await runtime.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
