import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { HubRuntime } from '@dockyard/runtime';
import { GatewayModule } from './gateway.module';
import { GATEWAY } from './gateway.tokens';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { HubExceptionFilter } from './http/hub-exception.filter';
import { JsonBodyPipe } from './http/json-body.pipe';
import { registerJsonContentParser, registerStreamContentParser } from './http/json-content-parser';
import { dropIdleConnections } from './http/idle-connections';
import { registerRequestInputGuard } from './http/request-input-guard';

/** JSON bodies of the index API are small; layers (registry API) are streamed, not parsed. */
const JSON_BODY_LIMIT = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * The Fastify adapter the gateway runs on: trailing slashes optional, request ids kept or made, and
 * `request.ip` the proxy's `X-Forwarded-For` client only for proxies `DOCKYARD_TRUST_PROXY` trusts.
 */
export const gatewayAdapter = (trustProxy: boolean | number | string = false): FastifyAdapter =>
  new FastifyAdapter({
    trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });

/** Nest's options for the gateway app: our own JSON parser (an empty JSON body is no body). */
export const GATEWAY_APP_OPTIONS = { logger: ['error', 'warn'] as ('error' | 'warn')[], bodyParser: false };

/**
 * Everything the gateway adds to a Nest Fastify app of `GatewayModule`: body parsers, the input
 * guard, idle connections, the error body, the protocol headers and request metrics. Shared by
 * `createGatewayApp` and the tests that build the app from a `@nestjs/testing` module.
 */
export function configureGatewayApp(app: NestFastifyApplication, runtime: HubRuntime): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonContentParser(fastify, JSON_BODY_LIMIT);
  registerStreamContentParser(fastify);
  registerRequestInputGuard(fastify);
  dropIdleConnections(app.getHttpServer(), runtime.config.idleTimeoutMs);
  app.useGlobalFilters(new HubExceptionFilter(runtime.logger));
  app.useGlobalPipes(new JsonBodyPipe());
  fastify.addHook('onSend', async (request, reply) => {
    // Every answer says which registry protocol this is (seed 002); standalone is false: a real index.
    void reply
      .header('X-Request-Id', request.id)
      .header('X-Docker-Registry-Version', '0.6.0')
      .header('X-Docker-Registry-Standalone', 'false');
  });
  const metrics = app.get<GatewayMetrics>(GATEWAY.metrics);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.requestSeconds.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  return app;
}

/** The gateway's HTTP application, on Fastify; the caller decides where it listens. */
export async function createGatewayApp(runtime: HubRuntime): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRuntime(runtime), gatewayAdapter(runtime.config.trustProxy), GATEWAY_APP_OPTIONS);
  return configureGatewayApp(app, runtime);
}
