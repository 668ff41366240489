import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { INestMicroservice } from '@nestjs/common';
import { BusExceptionFilter, BusServer, BusServerOptions, KafkaBus, MessageBus, commandValidationPipe } from '@dockyard/messaging';
import { loadHubConfig } from './hub-config';
import { HubRuntime, createHubRuntime } from './hub-runtime';
import { startHealthServer } from './health/health-server';
import { createLogger } from './logger';
import { guardProcess } from './process-guard';
import { stopOnSignals } from './stop-signals';

/** The runtime of one app running alone (distributed mode): Kafka between the processes. */
export async function createDistributedRuntime(app: string): Promise<HubRuntime> {
  const config = loadHubConfig();
  const logger = createLogger(app, config.logLevel);
  guardProcess(logger);
  const bus = new KafkaBus({
    brokers: config.kafkaBrokers,
    clientId: `dockyard-${app}`,
    topicPrefix: config.topicPrefix,
    replicationFactor: config.kafkaReplicationFactor,
    defaultTimeoutMs: config.commandTimeoutMs,
    logger: logger.child({ component: 'kafka' }),
  });
  await bus.connect();
  return createHubRuntime(config, bus, logger);
}

/**
 * What every Dockyard microservice gets besides its module: the bus as its transport, DTO
 * validation of every `@Payload()`, and errors handed back to the bus with their DomainError code.
 * Tests build the same thing from `Test.createTestingModule(...).createNestMicroservice(...)`.
 */
export function configureBusMicroservice(app: INestMicroservice): INestMicroservice {
  app.useGlobalPipes(commandValidationPipe());
  app.useGlobalFilters(new BusExceptionFilter());
  return app;
}

/** A service's microservice on `bus`, listening (its stores migrated and relaying first). */
export async function startBusMicroservice(module: DynamicModule, bus: MessageBus, server: BusServerOptions): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(module, { strategy: new BusServer(bus, server), logger: ['error', 'warn'] });
  configureBusMicroservice(app);
  await app.listen();
  return app;
}

/** `main.ts` of a service app (accounts, projector, ...): one Nest microservice on Kafka, HTTP only for health (HEALTH_PORT). */
export async function runServiceProcess(
  app: string,
  module: (runtime: HubRuntime) => DynamicModule,
  server: BusServerOptions,
  /** More microservices of the same process, each with its own consumer group (the projector's audit). */
  more: { module: (runtime: HubRuntime) => DynamicModule; server: BusServerOptions }[] = [],
): Promise<void> {
  const runtime = await createDistributedRuntime(app);
  const microservices: INestMicroservice[] = [];
  for (const part of [{ module, server }, ...more]) {
    microservices.push(await startBusMicroservice(part.module(runtime), runtime.bus, part.server));
  }
  const health = await startHealthServer(runtime);
  const stop = async () => {
    await health.close();
    // At once: each one's consumers may wait for an absent broker a while (KafkaBus, CONSUMER_STOP_MS).
    await Promise.all(microservices.map((microservice) => microservice.close()));
    await runtime.close();
    process.exit(0);
  };
  stopOnSignals(stop);
  runtime.logger.info(`${app} started`);
}
