import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KafkaBus } from '@dockyard/messaging';
import { loadHubConfig } from './hub-config';
import { HubRuntime, createHubRuntime } from './hub-runtime';
import { createLogger } from './logger';
import { guardProcess } from './process-guard';

/** The runtime of one app running alone (distributed mode): Kafka between the processes. */
export async function createDistributedRuntime(app: string): Promise<HubRuntime> {
  const config = loadHubConfig();
  const logger = createLogger(app, config.logLevel);
  guardProcess(logger);
  const bus = new KafkaBus({
    brokers: config.kafkaBrokers,
    clientId: `dockyard-${app}`,
    topicPrefix: config.topicPrefix,
    defaultTimeoutMs: config.commandTimeoutMs,
    logger: logger.child({ component: 'kafka' }),
  });
  await bus.connect();
  return createHubRuntime(config, bus, logger);
}

/** `main.ts` of a service app (accounts, projector, ...): a Nest application context, no HTTP. */
export async function runServiceProcess(app: string, module: (runtime: HubRuntime) => DynamicModule): Promise<void> {
  const runtime = await createDistributedRuntime(app);
  const context = await NestFactory.createApplicationContext(module(runtime), { logger: ['error', 'warn'] });
  const stop = async () => {
    await context.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  runtime.logger.info(`${app} started`);
}
