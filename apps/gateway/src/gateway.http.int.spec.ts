import { randomUUID } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReadModels } from '../../projector/src/read-models';
import { TestHub, createTestHub } from '@dockyard/testing';
import { GatewayModule } from './gateway.module';
import { GATEWAY } from './gateway.tokens';
import { HubExceptionFilter } from './http/hub-exception.filter';
import { dropIdleConnections } from './http/idle-connections';
import { JsonBodyPipe } from './http/json-body.pipe';
import { registerJsonContentParser, registerStreamContentParser } from './http/json-content-parser';
import { registerRequestInputGuard } from './http/request-input-guard';
import { GatewayMetrics } from './metrics/gateway-metrics';

const JSON_BODY_LIMIT = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const COMMAND_TIMEOUT_MS = 500;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The gateway's HTTP layer built by `@nestjs/testing` the way `createGatewayApp` builds it (same
 * adapter options, parsers, guard, filter, pipe and hooks), over a migrated read schema and a bus
 * with no service behind it; requests go through Fastify's `inject`, no socket.
 */
describe('gateway HTTP layer (Nest testing module on Fastify, no services)', () => {
  let hub: TestHub;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    hub = await createTestHub('gateway', { DOCKYARD_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) });
    await new ReadModels(hub.runtime).onApplicationBootstrap();

    const moduleRef = await Test.createTestingModule({
      imports: [GatewayModule.forRuntime(hub.runtime)],
    }).compile();
    const adapter = new FastifyAdapter({
      routerOptions: { ignoreTrailingSlash: true },
      bodyLimit: JSON_BODY_LIMIT,
      genReqId: (request: { headers: Record<string, string | string[] | undefined> }) => {
        const given = request.headers['x-request-id'];
        return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      },
    });
    app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, {
      logger: ['error'],
      bodyParser: false,
    });
    const fastify = app.getHttpAdapter().getInstance();
    registerJsonContentParser(fastify, JSON_BODY_LIMIT);
    registerStreamContentParser(fastify);
    registerRequestInputGuard(fastify);
    dropIdleConnections(app.getHttpServer(), hub.runtime.config.idleTimeoutMs);
    app.useGlobalFilters(new HubExceptionFilter(hub.runtime.logger));
    app.useGlobalPipes(new JsonBodyPipe());
    fastify.addHook('onSend', async (request, reply) => {
      void reply
        .header('X-Request-Id', request.id)
        .header('X-Docker-Registry-Version', '0.6.0')
        .header('X-Docker-Registry-Standalone', 'false');
    });
    const metrics = app.get<GatewayMetrics>(GATEWAY.metrics);
    fastify.addHook('onResponse', async (request, reply) => {
      metrics.requestSeconds.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
    await app.init();
    await fastify.ready();
  });
  afterAll(async () => {
    await app?.close();
    await hub?.close();
  });

  const inject = (options: Parameters<NestFastifyApplication['inject']>[0]) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject(options as never);

  it('GET /v1/_ping: 200 `true` as JSON with the registry headers and the request id', async () => {
    const response = await inject({
      method: 'GET',
      url: '/v1/_ping',
      headers: { 'x-request-id': 'req-ping.1' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('true');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['x-docker-registry-version']).toBe('0.6.0');
    expect(response.headers['x-docker-registry-standalone']).toBe('false');
    expect(response.headers['x-request-id']).toBe('req-ping.1');

    // A request id the hub would not log as given is replaced by its own.
    const other = await inject({ method: 'GET', url: '/v1/_ping/', headers: { 'x-request-id': 'bad id' } });
    expect(other.statusCode).toBe(200);
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /v2/ is a 404 without Docker-Distribution-API-Version, so docker falls back to v1', async () => {
    for (const url of ['/v2/', '/v2']) {
      const response = await inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers).not.toHaveProperty('docker-distribution-api-version');
      expect(response.json()).toEqual({ error: 'This hub speaks the v1 API only' });
    }
  });

  it('malformed JSON on POST /v1/users/ is a 400 {"error"} before any command is sent', async () => {
    const response = await inject({
      method: 'POST',
      url: '/v1/users/',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": "ada_0001", "password": ',
    });
    // Were the body passed on, the missing accounts service would make this a 503.
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: 'Malformed JSON body' });
  });

  it('a NUL in a path part is a 400 {"error"}', async () => {
    const response = await inject({ method: 'GET', url: '/v1/repositories/alice_01/we%00b/images' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'The path part second contains a control character' });

    const user = await inject({
      method: 'PUT',
      url: '/v1/users/ada%000001/',
      headers: { 'content-type': 'application/json', authorization: basic('ada_0001', 'secret 123') },
      payload: '{"email":"ada@example.com"}',
    });
    expect(user.statusCode).toBe(400);
    expect(user.json()).toEqual({ error: 'The path part username contains a control character' });
  });

  it('GET /metrics without credentials is a 401 with the Basic challenge', async () => {
    const response = await inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Basic realm="auth required",Token');
    expect(response.json()).toEqual({ error: 'Authentication is required' });
  });

  it('a command to a service nobody serves is a 503 {"error"} within the command timeout', async () => {
    const started = Date.now();
    const response = await inject({
      method: 'GET',
      url: '/v1/users/',
      headers: { authorization: basic('ada_0001', 'secret 123') },
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ error: 'accounts is not available' });
  });

  it('a service that takes the command and never answers is a 503 {"error"} once DOCKYARD_COMMAND_TIMEOUT_MS has passed', async () => {
    expect(hub.runtime.config.commandTimeoutMs).toBe(COMMAND_TIMEOUT_MS);
    let received = 0;
    const silent = await hub.bus.serveCommands('accounts', () => {
      received++;
      return new Promise(() => undefined);
    });
    try {
      const started = Date.now();
      const response = await inject({
        method: 'GET',
        url: '/v1/users/',
        headers: { authorization: basic('ada_0001', 'secret 123') },
      });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(received).toBe(1);
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'accounts did not answer in time' });
    } finally {
      await silent.close();
    }
  });
});
