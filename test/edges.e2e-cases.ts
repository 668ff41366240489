import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { HttpAnswer, basic, http, rawExchange } from './support/http';
import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient } from './support/docker-registry-client';
import { HubOptions, TestHub } from './support/hubs';
import { imageChain, payloadChecksum, tarLayer } from './support/layers';

/** The idle timeout the hub under test runs with: small, so stalled connections end within the test. */
const IDLE_TIMEOUT_MS = 1500;
const ADMIN = 'edge_admin';
/** Words of a Node request stream's internals: an error message must never list them. */
const INTERNALS = /_readableState|_events|socket|IncomingMessage|Readable|\[object/;

const imageId = (seed: string) => createHash('sha256').update(`edges-${seed}-${Math.random()}`).digest('hex');

function expectJsonError(answer: HttpAnswer, status: number): string {
  expect(answer.status).toBe(status);
  const error = (answer.json() as { error?: unknown }).error;
  expect(typeof error).toBe('string');
  expect(error as string).not.toMatch(INTERNALS);
  return error as string;
}


/** A request with a Host header of our choosing (fetch will not send one). */
function withHost(url: string, method: string, path: string, host: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ method, hostname: target.hostname, port: target.port, path, headers: { ...headers, Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, text, headers: new Headers(res.headers as Record<string, string>), json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A chunked upload that sends one chunk every `everyMs`: slow, but never idle. */
function slowUpload(url: string, path: string, body: Buffer, chunks: number, everyMs: number, headers: Record<string, string>): Promise<HttpAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method: 'PUT',
        hostname: target.hostname,
        port: target.port,
        path,
        headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c) => parts.push(c));
        res.on('end', () => {
          const text = Buffer.concat(parts).toString();
          resolve({ status: res.statusCode ?? 0, text, headers: new Headers(res.headers as Record<string, string>), json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    const size = Math.ceil(body.length / chunks);
    let sent = 0;
    const next = () => {
      req.write(body.subarray(sent * size, (sent + 1) * size));
      sent++;
      if (sent < chunks) setTimeout(next, everyMs);
      else req.end();
    };
    next();
  });
}

/** The hub's error body and nothing else: `{"error": "..."}`, never Fastify's or Node's own. */
function expectHubError(status: number, text: string, expected: number): void {
  expect([status, Object.keys(JSON.parse(text) as object)]).toEqual([expected, ['error']]);
}

/**
 * Issue 13's attacks on the gateway's HTTP edges, each written as the attack: failed-login bursts,
 * a private repository's existence told by the create routes, stalled connections, control
 * characters, absurd paging, a hostile Host, non-JSON bodies and anonymous /metrics; and issue 8's
 * hostile input: control characters on every route, JSON of the wrong types, names outside the
 * docker 1.x rules (and a valid long one end to end), and Fastify's own refusals. `endpoints` is
 * the DOCKYARD_REGISTRY_ENDPOINTS the hub runs with (none: the Host is used, and must be valid).
 */
export function describeEdges(mode: string, startHub: (options: HubOptions) => Promise<TestHub>, endpoints?: string): void {
  describe(`gateway edges (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    const as = (username: string, password = 'secret1') => ({ Authorization: basic(username, password) });
    const user = async (username: string) => {
      const answer = await http(url, 'POST', '/v1/users/', { body: { username, password: 'secret1', email: `${username}@example.com` } });
      expect(answer.status).toBe(201);
    };
    const login = (username: string, password: string) => http(url, 'GET', '/v1/users/', { headers: as(username, password) });

    beforeAll(async () => {
      hub = await startHub({
        requireConfirmation: false,
        admin: ADMIN,
        registryEndpoints: endpoints,
        env: { DOCKYARD_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) },
      });
      url = hub.urls[0];
      for (const name of ['guess_01', 'right_01', 'own_0001', 'out_0001', 'slow_001', 'ctl_0001', 'host_001', 'hst_0001']) await user(name);
    });
    afterAll(async () => {
      await hub?.stop();
    });

    describe('failed logins', () => {
      it('40 parallel wrong guesses: at most 10 are checked, the rest get 429, and so does the right password sent inside the burst', async () => {
        let right: Promise<HttpAnswer> | undefined;
        const guesses = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            login('guess_01', `wrong-${i}`).then((answer) => {
              // Once one guess was refused, the burst fills every slot: the right password comes now.
              if (answer.status === 429 && !right) right = login('guess_01', 'secret1');
              return answer;
            }),
          ),
        );
        const checked = guesses.filter((a) => a.status === 401);
        const refused = guesses.filter((a) => a.status === 429);
        expect(checked.length).toBeLessThanOrEqual(10);
        expect(checked.length + refused.length).toBe(40);
        for (const answer of refused) {
          expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
          expectJsonError(answer, 429);
        }
        expect(right).toBeDefined();
        const rightAnswer = await right!;
        expectJsonError(rightAnswer, 429);
        expect(Number(rightAnswer.headers.get('retry-after'))).toBeGreaterThan(0);
      });

      it('a right login gives its slot back: after 9 wrong passwords the right one works again and again', async () => {
        for (let i = 0; i < 9; i++) expect((await login('right_01', `wrong-${i}`)).status).toBe(401);
        // One slot is left; were a right login to keep it, the second would be refused.
        for (let i = 0; i < 15; i++) expect((await login('right_01', 'secret1')).status).toBe(200);
      });
    });

    describe('no existence oracle on the create routes', () => {
      beforeAll(async () => {
        const created = await http(url, 'POST', '/v1/repositories/own_0001/', {
          body: { repo_name: 'secret', is_public: false },
          headers: as('own_0001'),
        });
        expect(created.status).toBe(201);
      });

      it('an outsider or anonymous caller gets the same answer for an existing private repository as for a free name, and nothing is written', async () => {
        const intruder = imageId('intruder');
        for (const headers of [{}, as('out_0001'), { ...as('out_0001'), 'X-Docker-Token': 'true' }]) {
          const push = (name: string) => http(url, 'PUT', `/v1/repositories/own_0001/${name}/`, { body: [{ id: intruder }], headers });
          const create = (name: string) => http(url, 'POST', '/v1/repositories/own_0001/', { body: { repo_name: name }, headers });
          for (const call of [push, create]) {
            const existing = await call('secret');
            const missing = await call('nothere');
            expect([existing.status, existing.text]).toEqual([missing.status, missing.text]);
            expectJsonError(existing, 'Authorization' in headers ? 403 : 401);
            expect(existing.headers.get('x-docker-token')).toBeNull();
          }
        }
        expect((await http(url, 'GET', '/v1/repositories/own_0001/nothere', { headers: as('own_0001') })).status).toBe(404);
        const images = await http(url, 'GET', '/v1/repositories/own_0001/secret/images', { headers: as('own_0001') });
        expect(images.json()).toEqual([]);
      });
    });

    describe('idle connections', () => {
      it('20 stalled anonymous requests (headers or body that stop) are answered 408 and closed by the server', async () => {
        const stalled = Array.from({ length: 20 }, (_, i) =>
          i % 2 === 0
            ? rawExchange(url, 'GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nX-Stalled: ')
            : rawExchange(url, 'POST /v1/users/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"usern'),
        );
        const closed = await Promise.all(stalled);
        // Answered 408 with the JSON body of every refusal, then closed (found in review: closed
        // without a byte), never as if the request had been complete.
        for (const answer of closed) expect([answer.status, JSON.parse(answer.text)]).toEqual([408, { error: 'The request took too long to arrive' }]);
        expect((await http(url, 'GET', '/v1/_ping')).status).toBe(200);
      });

      it('a layer upload that keeps sending for longer than the idle timeout is not cut', async () => {
        const id = imageId('slow');
        const created = await http(url, 'PUT', '/v1/repositories/slow_001/slow/', {
          body: [{ id, Tag: 'latest' }],
          headers: { ...as('slow_001'), 'X-Docker-Token': 'true' },
        });
        expect(created.status).toBe(200);
        const auth = { Authorization: `Token ${created.headers.get('x-docker-token')}` };
        const json = JSON.stringify({ id, created: '2014-01-01T00:00:00Z' });
        expect((await http(url, 'PUT', `/v1/images/${id}/json`, { raw: json, headers: { ...auth, 'Content-Type': 'application/json' } })).status).toBe(200);
        const layer = await tarLayer({ 'big.bin': Buffer.alloc(256 * 1024, 7) });
        // 12 chunks 400 ms apart: about three idle timeouts in all, never idle for one.
        const upload = await slowUpload(url, `/v1/images/${id}/layer`, layer, 12, 400, auth);
        expect(upload.status).toBe(200);
        const checksum = await http(url, 'PUT', `/v1/images/${id}/checksum`, {
          headers: { ...auth, 'X-Docker-Checksum': `tarsum+sha256:${'0'.repeat(64)}`, 'X-Docker-Checksum-Payload': payloadChecksum({ id, parent: null, json, layer }) },
        });
        expect(checksum.status).toBe(200);
      });
    });

    describe('control characters', () => {
      it('in Basic credentials: 400, never 500', async () => {
        for (const pair of [['nul\u0000user', 'secret1'], ['ctl_0001', 'sec\u0000ret'], ['ctl_0001', 'line\nbreak'], ['del\u007f', 'x']]) {
          expectJsonError(await http(url, 'GET', '/v1/users/', { headers: as(pair[0], pair[1]) }), 400);
          expectJsonError(await http(url, 'PUT', '/v1/repositories/ctl_0001/web/', { body: [], headers: as(pair[0], pair[1]) }), 400);
        }
      });

      it('in any path part or query value: 400', async () => {
        const id = 'a'.repeat(63);
        for (const [method, path] of [
          ['GET', '/v1/users/ctl%000001/confirm?code=x'],
          ['GET', '/v1/users/ctl_0001/confirm?code=x%00'],
          ['PUT', '/v1/users/ctl_0001%01/'],
          ['GET', '/v1/repositories/ctl%00_0001/web'],
          ['GET', '/v1/repositories/ctl_0001/w%00eb/tags'],
          ['GET', '/v1/repositories/ctl_0001/web/tags/lat%00est'],
          ['PUT', '/v1/repositories/ctl_0001/web/tags/lat%1best'],
          ['DELETE', '/v1/repositories/ctl_0001/w%7feb/'],
          ['GET', '/v1/repositories/w%00eb/images'],
          ['GET', `/v1/images/${id}%00/json`],
          ['GET', `/v1/images/${id}%0a/ancestry`],
          ['GET', '/v1/repositories/ctl_0001/?page=%00'],
        ]) {
          const answer = await http(url, method, path, { headers: as('ctl_0001') });
          expectJsonError(answer, 400);
        }
      });

      it('in headers the hub reads: 400', async () => {
        for (const header of ['X-Docker-Token: tr\u0001ue', 'X-Docker-Checksum-Payload: sha256:\u007f', 'Range: bytes=0-\u0000']) {
          const answer = await rawExchange(url, `GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${header}\r\n\r\n`);
          expect(answer.status).toBe(400);
          expect(typeof (JSON.parse(answer.text) as { error?: unknown }).error).toBe('string');
        }
      });

      it('in JSON string fields of the users and repository routes: 400 and nothing written; descriptions may keep line breaks and tabs', async () => {
        const id = imageId('ctl');
        for (const [method, path, body] of [
          ['POST', '/v1/users/', { username: 'ctl_0002\u0000', password: 'secret1', email: 'c2@example.com' }],
          ['POST', '/v1/users/', { username: 'ctl_0003', password: 'sec\u0000ret1', email: 'c3@example.com' }],
          ['POST', '/v1/users/', { username: 'ctl_0004', password: 'secret1', email: 'c4@exa\u0007mple.com' }],
          ['PUT', '/v1/users/ctl_0001/', { password: 'new\u0000secret' }],
          ['POST', '/v1/repositories/ctl_0001/', { repo_name: 'nul', description: 'a\u0000b' }],
          ['POST', '/v1/repositories/ctl_0001/', { repo_name: 'nul', logo: 'a\nb' }],
          ['POST', '/v1/repositories/ctl_0001/', { repo_name: 'nu\u0000l' }],
          ['PUT', '/v1/repositories/ctl_0001/nul/', [{ id: `${id}\u0000` }]],
          ['PUT', '/v1/repositories/ctl_0001/nul/', [{ id, Tag: 'lat\u0000est' }]],
          ['PUT', '/v1/repositories/ctl_0001/nul/tags/latest', `${id}\u0000`],
        ] as [string, string, unknown][]) {
          expectJsonError(await http(url, method, path, { body, headers: as('ctl_0001') }), 400);
        }
        expect((await login('ctl_0002', 'secret1')).status).toBe(401);
        expect((await login('ctl_0001', 'secret1')).status).toBe(200);
        expect((await http(url, 'GET', '/v1/repositories/ctl_0001/nul', { headers: as('ctl_0001') })).status).toBe(404);

        const multiline = { repo_name: 'text', description: 'one\ntwo\r\n\tthree', full_description: '# Title\n\n\tcode' };
        const created = await http(url, 'POST', '/v1/repositories/ctl_0001/', { body: multiline, headers: as('ctl_0001') });
        expect(created.status).toBe(201);
        expect(created.json()).toMatchObject({ description: multiline.description, full_description: multiline.full_description });
        expectJsonError(await http(url, 'PUT', '/v1/repositories/ctl_0001/text', { body: { full_description: 'x\u0000' }, headers: as('ctl_0001') }), 400);
      });

      it('the image json is opaque: escaped control characters pass, a raw NUL is a 400', async () => {
        const [kept, refused] = [imageId('kept'), imageId('refused')];
        const created = await http(url, 'PUT', '/v1/repositories/ctl_0001/opaque/', {
          body: [{ id: kept }, { id: refused }],
          headers: { ...as('ctl_0001'), 'X-Docker-Token': 'true' },
        });
        const auth = { Authorization: `Token ${created.headers.get('x-docker-token')}`, 'Content-Type': 'application/json' };
        const escaped = `{"id":"${kept}","comment":"tab\\t nul\\u0000 bell\\u0007"}`;
        expect((await http(url, 'PUT', `/v1/images/${kept}/json`, { raw: escaped, headers: auth })).status).toBe(200);
        const raw = `{"id":"${refused}","comment":"nul\u0000"}`;
        expectJsonError(await http(url, 'PUT', `/v1/images/${refused}/json`, { raw, headers: auth }), 400);
      });
    });

    it('absurd paging (huge, negative, non-numeric, repeated) is a 400, never a 500', async () => {
      for (const query of [
        'page=99999999999999999999',
        'page=-1',
        'page=abc',
        'page=1e3',
        'page=0x10',
        'page=1.5',
        'page=1&page=2',
        'page_size=99999999999999999999',
        'page_size=-5',
        'page_size=ten',
        'page=99999999999999999999&page_size=100',
      ]) {
        expectJsonError(await http(url, 'GET', `/v1/repositories/own_0001/?${query}`), 400);
      }
      const far = await http(url, 'GET', '/v1/repositories/own_0001/?page=1000000&page_size=100');
      expect(far.status).toBe(200);
      expect(far.json()).toMatchObject({ results: [], next: null });
    });

    describe('hostile Host', () => {
      const hostile = ['evil.example/path?x', 'a.example, b.example', 'user@evil.example', 'evil.example:99999', 'evil example'];

      it(
        endpoints
          ? 'X-Docker-Endpoints is the configured list whatever Host says'
          : 'without configured endpoints, a Host that is not one host[:port] is a 400 and nothing is written',
        async () => {
          for (const [i, host] of hostile.entries()) {
            const headers = { ...as('host_001'), 'Content-Type': 'application/json', 'X-Docker-Token': 'true' };
            const answer = await withHost(url, 'PUT', `/v1/repositories/host_001/web${i}/`, host, headers, '[]');
            if (endpoints) {
              expect(answer.status).toBe(200);
              expect(answer.headers.get('x-docker-endpoints')).toBe(endpoints.split(',').map((e) => e.trim()).join(', '));
            } else {
              expectJsonError(answer, 400);
              expect(answer.headers.get('x-docker-endpoints')).toBeNull();
              expect((await http(url, 'GET', `/v1/repositories/host_001/web${i}`, { headers: as('host_001') })).status).toBe(404);
            }
          }
          const control = await rawExchange(url, 'GET /v1/repositories/host_001/web0/images HTTP/1.1\r\nHost: evil\u0001.example\r\nConnection: close\r\n\r\n');
          expect(control.status).toBe(400);
        },
      );

      it('every answer that carries a token has Cache-Control: no-store', async () => {
        const token = { ...as('host_001'), 'X-Docker-Token': 'true' };
        const created = await http(url, 'PUT', '/v1/repositories/host_001/cached/', { body: [], headers: token });
        const read = await http(url, 'GET', '/v1/repositories/host_001/cached/images', { headers: token });
        const images = await http(url, 'PUT', '/v1/repositories/host_001/cached/images', { body: [], headers: token });
        const remove = await http(url, 'DELETE', '/v1/repositories/host_001/cached/', { headers: token });
        for (const answer of [created, read, images, remove]) {
          expect(answer.status).toBeLessThan(300);
          expect(answer.headers.get('x-docker-token')).toBeTruthy();
          expect(answer.headers.get('www-authenticate')).toMatch(/^Token /);
          expect(answer.headers.get('cache-control')).toBe('no-store');
        }
      });
    });

    it('a body that is not JSON: 415 for another content type, 400 for malformed JSON, no internals named', async () => {
      for (const [method, path] of [
        ['POST', '/v1/repositories/own_0001/'],
        ['POST', '/v1/users/'],
        ['PUT', '/v1/users/own_0001/'],
        ['PUT', '/v1/repositories/own_0001/other/'],
        ['PUT', '/v1/repositories/own_0001/secret/images'],
        ['PUT', '/v1/repositories/own_0001/secret/tags/latest'],
      ]) {
        const headers = as('own_0001');
        expectJsonError(await http(url, method, path, { raw: 'repo_name=web', headers: { ...headers, 'Content-Type': 'text/plain' } }), 415);
        expectJsonError(await http(url, method, path, { raw: 'repo_name=web', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
        expectJsonError(await http(url, method, path, { raw: Buffer.from('repo_name=web'), headers }), 415);
        expectJsonError(await http(url, method, path, { raw: 'not json {', headers: { ...headers, 'Content-Type': 'application/json' } }), 400);
      }
      expect((await http(url, 'GET', '/v1/repositories/own_0001/other', { headers: as('own_0001') })).status).toBe(404);
    });

    it('refusals Node itself made now carry the JSON error too: no Host, two Hosts, an unknown Expect; an unknown route does not echo its path (found in review)', async () => {
      const raw = (head: string) => rawExchange(url, `${head}\r\nConnection: close\r\n\r\n`);
      const refusal = (answer: { status: number; text: string }) => [answer.status, JSON.parse(answer.text)];
      expect(refusal(await raw('GET /v1/_ping HTTP/1.1'))).toEqual([400, { error: expect.stringContaining('Host') }]);
      expect(refusal(await raw('GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nHost: evil.example'))).toEqual([400, { error: expect.stringContaining('Host') }]);
      expect(refusal(await raw('GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nExpect: junk'))).toEqual([417, { error: expect.stringContaining('Expect') }]);
      expect((await raw('GET /v1/_ping HTTP/1.0')).status).toBe(200); // HTTP/1.0 needs no Host: the control
      const unknown = await http(url, 'GET', '/v1/x%3Cscript%3E');
      expect([unknown.status, unknown.json()]).toEqual([404, { error: 'No such route' }]);
    });

    describe('hostile input (issue 8)', () => {
      const OWNER = 'hst_0001';
      const ID = 'a'.repeat(64);
      /** A repository of OWNER holding `ids`, and the write token the index gave for it. */
      const repositoryWith = async (name: string, ids: string[]) => {
        const created = await http(url, 'PUT', `/v1/repositories/${OWNER}/${name}/`, { body: ids.map((id) => ({ id })), headers: { ...as(OWNER), 'X-Docker-Token': 'true' } });
        expect(created.status).toBe(200);
        return { Authorization: `Token ${created.headers.get('x-docker-token')}` };
      };
      const imagesOf = async (name: string) => (await http(url, 'GET', `/v1/repositories/${OWNER}/${name}/images`, { headers: as(OWNER) })).json();
      const exists = async (path: string) => (await http(url, 'GET', path, { headers: as(ADMIN) })).status === 200;

      it('a control character in a path part of every route (users, repositories, images, tags, registry, roles): 400', async () => {
        for (const [method, path] of [
          ['PUT', `/v1/images/${ID}%00/json`],
          ['PUT', `/v1/images/${ID}%00/layer`],
          ['GET', `/v1/images/${ID}%01/layer`],
          ['PUT', `/v1/images/${ID}%7f/checksum`],
          ['PUT', '/v1/admin/users/hst%000001/roles/admin'],
          ['DELETE', '/v1/admin/users/hst_0001/roles/ad%00min'],
          ['POST', '/v1/repositories/hst%000001/'],
          ['GET', '/v1/repositories/hst_0001/w%00eb/images'],
          ['PUT', '/v1/repositories/hst_0001/w%00eb/images'],
          ['PUT', '/v1/repositories/hst_0001/w%00eb/auth'],
          ['GET', '/v1/repositories/library/w%00eb/tags'],
          ['GET', '/v1/repositories/w%00eb/tags/latest'],
          ['DELETE', '/v1/repositories/hst_0001/web/tags/la%00test'],
          ['PUT', '/v1/repositories/w%00eb/'],
          ['GET', '/v1/repositories/hst_0001/w%1feb'],
        ]) {
          expectJsonError(await http(url, method, path, { body: method === 'PUT' ? [] : undefined, headers: as(ADMIN) }), 400);
        }
      });

      it('an image list with a checksum that is not a string, an id that is not 64 hex, or entries that are not objects: 400 and nothing written', async () => {
        const [kept, other] = [imageId('kept'), imageId('other')];
        for (const body of [[{ id: kept, checksum: 123 }], [{ id: 'xyz' }], [{ id: kept.toUpperCase() }], [{ id: 5 }], [kept], [{ id: kept, Tag: 7 }], { id: kept }]) {
          expectJsonError(await http(url, 'PUT', `/v1/repositories/${OWNER}/typed/`, { body, headers: as(OWNER) }), 400);
        }
        // The push's create wrote nothing: not even the repository.
        expect((await http(url, 'GET', `/v1/repositories/${OWNER}/typed`, { headers: as(OWNER) })).status).toBe(404);

        await repositoryWith('typed', [kept]);
        for (const body of [[{ id: other, checksum: 123 }], [{ id: kept, checksum: 123 }], [{ id: other }, { id: 'short' }], [{ id: kept, checksum: ['sha256:1'] }], [null]]) {
          expectJsonError(await http(url, 'PUT', `/v1/repositories/${OWNER}/typed/images`, { body, headers: as(OWNER) }), 400);
        }
        expect(await imagesOf('typed')).toEqual([{ id: kept, checksum: '' }]);
        // Unknown fields of an entry are ignored, as docker-registry did; a string checksum is kept.
        const good = await http(url, 'PUT', `/v1/repositories/${OWNER}/typed/images`, { body: [{ id: kept, checksum: 'sha256:1', extra: 1 }], headers: as(OWNER) });
        expect(good.status).toBe(204);
        expect(await imagesOf('typed')).toEqual([{ id: kept, checksum: 'sha256:1' }]);
      });

      it('a tag body that is not a 64-hex JSON string, or a tag name outside the rule: 400 and no tag written', async () => {
        const id = imageId('tagged');
        const token = await repositoryWith('tagged', [id]);
        for (const raw of ['123', JSON.stringify({ id }), JSON.stringify([id]), '"xyz"', JSON.stringify(id.toUpperCase()), 'null']) {
          expectJsonError(await http(url, 'PUT', `/v1/repositories/${OWNER}/tagged/tags/latest`, { raw, headers: { ...token, 'Content-Type': 'application/json' } }), 400);
        }
        for (const tag of ['-bad', 'a%20b', 'x'.repeat(129)]) {
          expectJsonError(await http(url, 'PUT', `/v1/repositories/${OWNER}/tagged/tags/${tag}`, { body: id, headers: token }), 400);
          expectJsonError(await http(url, 'GET', `/v1/repositories/${OWNER}/tagged/tags/${tag}`, { headers: token }), 400);
        }
        expect((await http(url, 'GET', `/v1/repositories/${OWNER}/tagged/tags`, { headers: token })).json()).toEqual({});
      });

      it('an image json whose id is not the image, or whose parent is not an image id: 400 and nothing stored', async () => {
        const id = imageId('json');
        const token = { ...(await repositoryWith('imgjson', [id])), 'Content-Type': 'application/json' };
        for (const body of [{ id: 123 }, { id: imageId('another') }, { id, parent: 5 }, { id, parent: 'xyz' }, [id], id]) {
          expectJsonError(await http(url, 'PUT', `/v1/images/${id}/json`, { raw: JSON.stringify(body), headers: token }), 400);
        }
        expectJsonError(await http(url, 'GET', `/v1/images/${id}/json`, { headers: token }), 404);
        // Nothing half-written stands in the way of the right json.
        expect((await http(url, 'PUT', `/v1/images/${id}/json`, { raw: JSON.stringify({ id }), headers: token })).status).toBe(200);
      });

      it('users and repository bodies with fields of the wrong type: 400 and nothing written', async () => {
        for (const body of [
          { username: 123, password: 'secret1', email: 'n1@example.com' },
          { username: 'hst_0002', password: ['secret1'], email: 'n2@example.com' },
          { username: 'hst_0002', password: 'secret1', email: { at: 'example.com' } },
          { username: 'hst_0002', password: 'secret1', email: 'n2@example.com', auth: 5 },
        ]) {
          expectJsonError(await http(url, 'POST', '/v1/users/', { body }), 400);
        }
        expect((await login('hst_0002', 'secret1')).status).toBe(401);
        for (const body of [{ password: 5 }, { email: false }, { password: null }, { email: ['a@example.com'] }]) {
          expectJsonError(await http(url, 'PUT', `/v1/users/${OWNER}/`, { body, headers: as(OWNER) }), 400);
        }
        expect((await login(OWNER, 'secret1')).status).toBe(200);

        for (const body of [{ repo_name: 123 }, { repo_name: 'meta', is_public: 'yes' }, { repo_name: 'meta', description: 5 }, { repo_name: 'meta', logo: [] }, { name: {} }]) {
          expectJsonError(await http(url, 'POST', `/v1/repositories/${OWNER}/`, { body, headers: as(OWNER) }), 400);
        }
        expect((await http(url, 'GET', `/v1/repositories/${OWNER}/meta`, { headers: as(OWNER) })).status).toBe(404);
        await repositoryWith('meta', []);
        for (const body of [{ is_public: 'no' }, { description: 1 }, { full_description: ['x'] }]) {
          expectJsonError(await http(url, 'PUT', `/v1/repositories/${OWNER}/meta/`, { body, headers: as(OWNER) }), 400);
        }
        expect((await http(url, 'GET', `/v1/repositories/${OWNER}/meta`, { headers: as(OWNER) })).json()).toMatchObject({ is_public: true, description: '' });
      });

      it('repository names outside the docker 1.x rules: 400 on every route, nothing created', async () => {
        const long = `${OWNER}/${'n'.repeat(255 - OWNER.length)}`; // 256 in all
        for (const remote of [`${OWNER}/Web`, `${OWNER}/we+b`, `${OWNER}/json`, 'Hst_0001/web', 'abc/web', `${'a'.repeat(31)}/web`, long, `${OWNER}/${'x'.repeat(300)}`, `${OWNER}/${'x'.repeat(2000)}`]) {
          for (const [method, path, body] of [
            ['PUT', `/v1/repositories/${remote}/`, [{ id: ID }]],
            ['GET', `/v1/repositories/${remote}/images`],
            ['PUT', `/v1/repositories/${remote}/images`, []],
            ['GET', `/v1/repositories/${remote}/tags`],
            ['PUT', `/v1/repositories/${remote}/tags/latest`, ID],
            ['DELETE', `/v1/repositories/${remote}/`],
          ] as [string, string, unknown?][]) {
            const answer = await http(url, method, path, { body, headers: { ...as(ADMIN), 'X-Docker-Token': 'true' } });
            expectJsonError(answer, 400);
          }
        }
        expectJsonError(await http(url, 'POST', `/v1/repositories/${OWNER}/`, { body: { repo_name: 'n'.repeat(255 - OWNER.length) }, headers: as(OWNER) }), 400);
        expect(await exists(`/v1/repositories/${long}`)).toBe(false);
        expect(((await http(url, 'GET', `/v1/repositories/${OWNER}/`, { headers: as(OWNER) })).json() as { results: { repo_name: string }[] }).results.map((r) => r.repo_name)).not.toContain('Web');
      });

      it('a repository name of 255 characters in all works end to end: index push, registry push, pull, detail', async () => {
        const remote = `${OWNER}/${'l'.repeat(252 - OWNER.length)}.z`;
        expect(remote).toHaveLength(255);
        const images = await imageChain('long', [{ 'etc/hostname': 'long' }, { 'app/run': 'x'.repeat(5000) }]);
        const index = new DockerIndexClient(url, { username: OWNER, password: 'secret1' });
        const created = await index.createRepository(remote, [{ id: images[0].id }, { id: images[1].id, Tag: 'latest' }]);
        expect(created.status).toBe(200);
        const registry = new DockerRegistryClient(url, created.headers.get('x-docker-token')!);
        for (const image of images) expect(await registry.pushImage(image)).toBe('pushed');
        expect((await index.putTag(remote, 'latest', images[1].id, created.headers.get('x-docker-token')!)).status).toBe(200);
        expect((await index.validateImages(remote, created.headers.get('x-docker-endpoints')!)).status).toBe(204);

        const listed = await new DockerIndexClient(url).getImages(remote);
        expect(listed.status).toBe(200);
        expect((listed.json() as { id: string }[]).map((i) => i.id).sort()).toEqual(images.map((i) => i.id).sort());
        const pulled = await new DockerRegistryClient(url, listed.headers.get('x-docker-token')!).pull(remote, 'latest');
        expect([...pulled.keys()]).toEqual(images.map((i) => i.id));
        expect(pulled.get(images[1].id)!.layer.equals(images[1].layer)).toBe(true);
        expect((await http(url, 'GET', `/v1/repositories/${remote}`)).json()).toMatchObject({ repo_path: remote });

        // The one-part (library) form, as long as it may be: library/ + 247.
        const library = 'k'.repeat(247);
        expect((await http(url, 'PUT', `/v1/repositories/${library}/`, { body: [], headers: as(ADMIN) })).status).toBe(200);
        expect((await http(url, 'GET', `/v1/repositories/library/${library}`)).json()).toMatchObject({ repo_path: `library/${library}` });
      });

      it("Fastify's and Node's own refusals answer in the hub's body: bad percent-encoding, a path part too long, a body too large, a bad Content-Type, a control character in a header", async () => {
        const bad = await http(url, 'GET', `/v1/repositories/${OWNER}/%zz/images`);
        expectHubError(bad.status, bad.text, 400);
        const long = await http(url, 'GET', `/v1/repositories/${OWNER}/${'x'.repeat(5000)}/images`);
        expectHubError(long.status, long.text, 400);
        const large = await http(url, 'POST', '/v1/users/', { body: { username: 'hst_big1', password: 'secret1', email: 'big@example.com', auth: 'x'.repeat(1024 * 1024) } });
        expectHubError(large.status, large.text, 413);
        expect((await login('hst_big1', 'secret1')).status).toBe(401);
        const type = await http(url, 'POST', '/v1/users/', { raw: '{}', headers: { 'Content-Type': 'nonsense' } });
        expectHubError(type.status, type.text, 415);
        for (const header of ['X-Anything: a\u0000b', 'User-Agent: docker\u0001', 'Authorization: Basic \u0007']) {
          const raw = await rawExchange(url, `GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n${header}\r\n\r\n`);
          expectHubError(raw.status, raw.text, 400);
        }
        const headers = await rawExchange(url, `GET /v1/_ping HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
        expectHubError(headers.status, headers.text, 431);
      });
    });

    describe(`with an admin (${ADMIN}, the hub's bootstrap admin)`, () => {

      it('GET /metrics: 401 anonymous, 403 for a non-admin, 200 for an admin', async () => {
        const anonymous = await http(url, 'GET', '/metrics');
        expectJsonError(anonymous, 401);
        expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
        expect(anonymous.text).not.toContain('dockyard_');
        const outsider = await http(url, 'GET', '/metrics', { headers: as('out_0001') });
        expectJsonError(outsider, 403);
        expect(outsider.text).not.toContain('dockyard_');
        const admin = await http(url, 'GET', '/metrics', { headers: as(ADMIN) });
        expect(admin.status).toBe(200);
        expect(admin.text).toContain('dockyard_http_request_seconds_bucket');
      });

      it('library names: a non-admin gets the same answer for an existing private library repository as for a free name', async () => {
        const created = await http(url, 'POST', '/v1/repositories/library/', { body: { repo_name: 'libsecret', is_public: false }, headers: as(ADMIN) });
        expect(created.status).toBe(201);
        for (const headers of [{}, as('out_0001')]) {
          for (const form of ['/v1/repositories/%s/', '/v1/repositories/library/%s/']) {
            const existing = await http(url, 'PUT', form.replace('%s', 'libsecret'), { body: [], headers });
            const missing = await http(url, 'PUT', form.replace('%s', 'libnothere'), { body: [], headers });
            expect([existing.status, existing.text]).toEqual([missing.status, missing.text]);
            expectJsonError(existing, 'Authorization' in headers ? 403 : 401);
          }
          const existing = await http(url, 'POST', '/v1/repositories/library/', { body: { repo_name: 'libsecret' }, headers });
          const missing = await http(url, 'POST', '/v1/repositories/library/', { body: { repo_name: 'libnothere' }, headers });
          expect([existing.status, existing.text]).toEqual([missing.status, missing.text]);
        }
        expect((await http(url, 'GET', '/v1/repositories/library/libnothere', { headers: as(ADMIN) })).status).toBe(404);
      });
    });
  });
}
