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

/** The gateway's HTTP application, on Fastify; the caller decides where it listens. */
export async function createGatewayApp(runtime: HubRuntime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: JSON_BODY_LIMIT,
    genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRuntime(runtime), adapter, {
    logger: ['error', 'warn'],
    bodyParser: false, // ours below: an empty JSON body is no body
  });
  registerJsonContentParser(app.getHttpAdapter().getInstance(), JSON_BODY_LIMIT);
  registerStreamContentParser(app.getHttpAdapter().getInstance());
  registerRequestInputGuard(app.getHttpAdapter().getInstance());
  dropIdleConnections(app.getHttpServer(), runtime.config.idleTimeoutMs);
  app.useGlobalFilters(new HubExceptionFilter(runtime.logger));
  app.useGlobalPipes(new JsonBodyPipe());
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (request, reply) => {
      // Every answer says which registry protocol this is (seed 002); standalone is false: a real index.
      void reply
        .header('X-Request-Id', request.id)
        .header('X-Docker-Registry-Version', '0.6.0')
        .header('X-Docker-Registry-Standalone', 'false');
    });
  const metrics = app.get<GatewayMetrics>(GATEWAY.metrics);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', async (request, reply) => {
      metrics.requestSeconds.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });
  return app;
}
