import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { HubRuntime } from '@dockyard/runtime';
import { GatewayModule } from './gateway.module';
import { SoleGateway } from './hot/read-model-changes';
import { GATEWAY } from './gateway.tokens';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { HubExceptionFilter } from './http/hub-exception.filter';
import { JsonBodyPipe } from './http/json-body.pipe';
import { registerJsonContentParser, registerStreamContentParser } from './http/json-content-parser';
import { dropIdleConnections } from './http/idle-connections';
import { refuseUnknownExpectations } from './http/expectations';
import { answerClientError, answerFrameworkError, inHubWords } from './http/framework-errors';
import { registerRequestInputGuard } from './http/request-input-guard';
import { stampRequestArrival } from './http/request-arrival';

/** JSON bodies of the index API are small; layers (registry API) are streamed, not parsed. */
const JSON_BODY_LIMIT = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** The longest path part the router matches; beyond it, a 400 in the hub's words (framework-errors). */
const MAX_PATH_PART = 1024;

/** Nest's Fastify adapter, with Fastify's own errors put in the hub's words before Nest maps them. */
class GatewayFastifyAdapter extends FastifyAdapter {
  override setErrorHandler(handler: Parameters<FastifyAdapter['setErrorHandler']>[0]) {
    return super.setErrorHandler(function (this: unknown, error, request, reply) {
      return handler.call(this as never, inHubWords(error) as typeof error, request, reply);
    });
  }
}

/**
 * The Fastify adapter the gateway runs on: trailing slashes optional, request ids kept or made, the
 * refusals Fastify and Node make before any route in the hub's `{"error": ...}` body, and
 * `request.ip` the proxy's `X-Forwarded-For` client only for proxies `DOCKYARD_TRUST_PROXY` trusts.
 */
export const gatewayAdapter = (trustProxy: boolean | number | string = false): FastifyAdapter =>
  new GatewayFastifyAdapter({
    trustProxy,
    // maxParamLength: Fastify's 100 is shorter than a valid repository name (255 in all); longer
    // parts still reach the hub's own name checks, which say what the rule is.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PATH_PART },
    bodyLimit: JSON_BODY_LIMIT,
    // Node answers a request without Host with an empty 400 of its own; the input guard answers it
    // (and two Host lines, which Node would let through) with the hub's JSON body instead.
    http: { requireHostHeader: false },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
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
  stampRequestArrival(fastify);
  registerJsonContentParser(fastify, JSON_BODY_LIMIT);
  registerStreamContentParser(fastify);
  registerRequestInputGuard(fastify);
  dropIdleConnections(app.getHttpServer(), runtime.config.idleTimeoutMs);
  refuseUnknownExpectations(app.getHttpServer());
  app.useGlobalFilters(new HubExceptionFilter(runtime.logger));
  app.useGlobalPipes(new JsonBodyPipe());
  // The request id is the correlation id of everything the request causes; the commands it sends
  // carry it in their metadata, and the lines logged for a request (HubExceptionFilter) name it.
  // No AsyncLocalStorage scope per request: on Node 20 one scope anywhere turns on promise hooks
  // for every promise of the process, which cost the gateway 15 % of its CPU per `GET .../images`
  // (A/B, three runs each: 150/131/139 against 127/107/117 µs of user CPU a request).
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

/**
 * The gateway's HTTP application, on Fastify; the caller decides where it listens. `sole`: the
 * standalone hub's, its database's only gateway (SoleGateway).
 */
export async function createGatewayApp(runtime: HubRuntime, sole?: SoleGateway): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRuntime(runtime, sole), gatewayAdapter(runtime.config.trustProxy), GATEWAY_APP_OPTIONS);
  return configureGatewayApp(app, runtime);
}
