import { Test } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReadModels } from '../../projector/src/read-models';
import { TestHub, createTestHub } from '@dockyard/testing';
import { GATEWAY_APP_OPTIONS, configureGatewayApp, gatewayAdapter } from './gateway.app';
import { GatewayModule } from './gateway.module';

const COMMAND_TIMEOUT_MS = 500;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The gateway's HTTP layer built by `@nestjs/testing` with what `createGatewayApp` adds to it
 * (`gatewayAdapter`, `configureGatewayApp`: parsers, guard, filter, pipe and hooks), over a migrated read schema and a bus
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
    app = configureGatewayApp(
      moduleRef.createNestApplication<NestFastifyApplication>(gatewayAdapter(), { ...GATEWAY_APP_OPTIONS, logger: ['error'] }),
      hub.runtime,
    );
    const fastify = app.getHttpAdapter().getInstance();
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

  it("Fastify's own refusals answer in the hub's body: bad percent-encoding, a path part past maxParamLength, a body too large, a bad Content-Type", async () => {
    const cases: [Parameters<typeof inject>[0], number, string][] = [
      [{ method: 'GET', url: '/v1/repositories/alice_01/%zz/images' }, 400, 'The request path is not valid (bad percent-encoding)'],
      [{ method: 'GET', url: `/v1/repositories/alice_01/${'a'.repeat(2000)}/images` }, 400, 'A part of the request path is too long'],
      [
        { method: 'POST', url: '/v1/users/', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'a'.repeat(1024 * 1024) }) },
        413,
        'The body is too large',
      ],
      [{ method: 'POST', url: '/v1/users/', headers: { 'content-type': 'nonsense' }, payload: '{}' }, 415, 'The Content-Type is not supported'],
    ];
    for (const [request, status, error] of cases) {
      const response = await inject(request);
      expect([response.statusCode, response.json()]).toEqual([status, { error }]);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('repository names follow the docker 1.x rules: 400 before any lookup; a 255-character name is one', async () => {
    const rule = { error: 'Repository name must be of [a-z0-9-_.], not a reserved word, and namespace/name at most 255 characters' };
    const namespaceRule = { error: 'Namespace must be a username (4 to 30 of [a-z0-9_]) or library' };
    for (const [url, error] of [
      [`/v1/repositories/alice_01/${'a'.repeat(247)}/images`, rule],
      [`/v1/repositories/alice_01/${'a'.repeat(300)}/tags`, rule],
      [`/v1/repositories/${'a'.repeat(248)}/images`, rule],
      ['/v1/repositories/alice_01/We%20b', rule],
      ['/v1/repositories/alice_01/json', rule],
      ['/v1/repositories/Alice_01/web/images', namespaceRule],
      ['/v1/repositories/abc/web', namespaceRule],
      [`/v1/repositories/${'a'.repeat(31)}/`, namespaceRule],
    ] as [string, object][]) {
      const response = await inject({ method: 'GET', url });
      expect([url.slice(0, 60), response.statusCode, response.json()]).toEqual([url.slice(0, 60), 400, error]);
    }
    // Valid names reach the read model: not found (no service is asked on this route).
    for (const url of [`/v1/repositories/alice_01/${'a'.repeat(246)}/images`, `/v1/repositories/${'a'.repeat(247)}/tags`]) {
      const response = await inject({ method: 'GET', url });
      expect([response.statusCode, response.json()]).toEqual([404, { error: 'Repository not found' }]);
    }
  });

  it('a JSON field of the wrong type is a 400 before any command is sent', async () => {
    for (const payload of [{ username: 123 }, { username: 'ada_0001', password: ['x'] }, { username: 'ada_0001', email: {} }, ['ada_0001']]) {
      const response = await inject({ method: 'POST', url: '/v1/users/', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      // Were the body passed on, the missing accounts service would make this a 503.
      expect(response.statusCode).toBe(400);
      expect(typeof response.json().error).toBe('string');
    }
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
