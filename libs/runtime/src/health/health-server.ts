import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { HubRuntime } from '../hub-runtime';
import { HealthModule } from './health.module';

/**
 * The small HTTP app every distributed process (each service, the projector, the gateway) serves
 * on HEALTH_PORT: `/healthz`, `/readyz` and `/metrics` without credentials, for the orchestrator's
 * probes and Prometheus; not meant to be exposed outside the cluster.
 */
export async function startHealthServer(runtime: HubRuntime): Promise<INestApplication> {
  const app = await NestFactory.create(HealthModule.forRuntime(runtime, { metrics: true }), new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  await app.listen(runtime.config.healthPort, runtime.config.healthHost);
  runtime.logger.info({ port: runtime.config.healthPort }, 'health and metrics listening');
  return app;
}
