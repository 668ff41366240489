import { Client } from 'pg';
import { tokensDatabaseUrl } from './tokens-security.e2e-cases';
import { DockerIndexClient } from './support/docker-index-client';
import { putChunked } from './support/docker-registry-client';
import { TestHub } from './support/hubs';
import { basic, http, rawExchange } from './support/http';
import { imageChain, payloadChecksum } from './support/layers';

/**
 * Issue 14 point 6: a command has an identity (the client's Idempotency-Key scoped to the caller,
 * or the request) and runs once; a retry gets its first result. The hub runs without e-mail
 * confirmation and with a command timeout of a few seconds (so one test can make the gateway give
 * up on a command that still runs). `idem_root` is its bootstrap admin.
 */
export function describeIdempotency(mode: string, startHub: () => Promise<TestHub & { pgPort?: number }>): void {
  describe(`commands run once (${mode})`, () => {
    let hub: TestHub & { pgPort?: number };
    let url: string;
    let db: Client;

    const register = (username: string, key?: string, password = 'secret1') =>
      http(url, 'POST', '/v1/users/', {
        body: { username, password, email: `${username}@example.com` },
        headers: key === undefined ? {} : { 'Idempotency-Key': key },
      });
    const events = async (schema: string, type: string, field: string, value: string): Promise<number> => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${schema}.events WHERE type = $1 AND data->>$2 = $3`, [type, field, value]);
      return rows[0].n;
    };

    beforeAll(async () => {
      hub = await startHub();
      url = hub.urls[0];
      db = new Client(tokensDatabaseUrl(hub)); // every service's schema lives in the one database
      await db.connect();
    });
    afterAll(async () => {
      await db?.end();
      await hub?.stop();
    });

    it('the same registration sent twice with one Idempotency-Key: 201 both times, one UserRegistered', async () => {
      const first = await register('idem_ann', 'ann-key-1');
      const again = await register('idem_ann', 'ann-key-1');
      expect([first.status, first.text]).toEqual([201, '"User Created"']);
      expect([again.status, again.text]).toEqual([201, '"User Created"']);
      expect(await events('accounts', 'UserRegistered', 'username', 'idem_ann')).toBe(1);
    });

    it('two different keys are two commands: 201, then 400 already exists', async () => {
      expect((await register('idem_bea', 'bea-key-1')).status).toBe(201);
      const second = await register('idem_bea', 'bea-key-2');
      expect([second.status, second.text]).toEqual([400, '"Username or email already exists"']);
      expect(await events('accounts', 'UserRegistered', 'username', 'idem_bea')).toBe(1);
    });

    it("one key used by two callers names two commands: one user's key never answers another's request", async () => {
      expect((await register('idem_cat', 'shared-key')).status).toBe(201);
      expect((await register('idem_dan', 'shared-key')).status).toBe(201);
      // The same key under two identities on one route.
      const create = (user: string) =>
        http(url, 'POST', `/v1/repositories/${user}`, {
          body: { name: 'app' },
          headers: { Authorization: basic(user, 'secret1'), 'Idempotency-Key': 'shared-key' },
        });
      expect((await create('idem_cat')).status).toBe(201);
      expect((await create('idem_dan')).status).toBe(201);
      expect(await events('repositories', 'RepositoryCreated', 'namespace', 'idem_cat')).toBe(1);
      expect(await events('repositories', 'RepositoryCreated', 'namespace', 'idem_dan')).toBe(1);
    });

    it('a malformed Idempotency-Key is a 400 {"error"} and nothing runs', async () => {
      for (const key of ['', 'x'.repeat(201)]) {
        const answer = await register('idem_eve', key);
        expect(answer.status).toBe(400);
        expect(answer.json()).toEqual({ error: expect.stringContaining('Idempotency-Key') });
      }
      const answer = await http(url, 'POST', '/v1/users/', {
        body: { username: 'idem_eve', password: 'secret1', email: 'idem_eve@example.com' },
        headers: { 'Idempotency-Key': 'caf\u00e9' },
      }).catch(() => ({ status: 400 })); // fetch itself may refuse a non-ASCII header value
      expect(answer.status).toBe(400);
      expect(await events('accounts', 'UserRegistered', 'username', 'idem_eve')).toBe(0);
    });

    it('two Idempotency-Key headers are a 400 and nothing runs (found in review: Node joined them into one valid-looking key)', async () => {
      const body = JSON.stringify({ username: 'idem_two', password: 'secret1', email: 'idem_two@example.com' });
      const target = new URL(url);
      const answer = await rawExchange(
        url,
        `POST /v1/users/ HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: application/json\r\nIdempotency-Key: k1\r\n` +
          `Idempotency-Key: k2\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: expect.stringContaining('Idempotency-Key') });
      expect(await events('accounts', 'UserRegistered', 'username', 'idem_two')).toBe(0);
    });

    it('a registration answered 503 that still ran: the retry with its key gets the first result, 201, and it ran once', async () => {
      // Hold the accounts service inside the command (its e-mail check waits on this lock) until the
      // gateway has given up on it.
      const lock = new Client(tokensDatabaseUrl(hub));
      await lock.connect();
      try {
        await lock.query('BEGIN');
        await lock.query('LOCK TABLE accounts.email_claims IN ACCESS EXCLUSIVE MODE');
        const timedOut = await register('idem_fay', 'fay-key-1');
        expect(timedOut.status).toBe(503);
        await lock.query('COMMIT');
      } finally {
        await lock.end();
      }
      let retry = await register('idem_fay', 'fay-key-1');
      // A command the gateway gave up on may still be queued: it is the same command, run once.
      for (let i = 0; i < 20 && retry.status === 503; i++) retry = await register('idem_fay', 'fay-key-1');
      expect([retry.status, retry.text]).toEqual([201, '"User Created"']);
      expect(await events('accounts', 'UserRegistered', 'username', 'idem_fay')).toBe(1);
      // The account is the first request's: its password works.
      expect((await http(url, 'GET', '/v1/users/', { headers: { Authorization: basic('idem_fay', 'secret1') } })).status).toBe(200);
    });

    it('a repository delete retried with its key runs once: the re-created repository is not deleted again', async () => {
      expect((await register('idem_gus')).status).toBe(201);
      const as = { Authorization: basic('idem_gus', 'secret1') };
      const create = () => http(url, 'POST', '/v1/repositories/idem_gus', { body: { name: 'web' }, headers: as });
      const remove = () => http(url, 'DELETE', '/v1/repositories/idem_gus/web/', { headers: { ...as, 'Idempotency-Key': 'gus-delete-1' } });
      expect((await create()).status).toBe(201);
      expect((await remove()).status).toBe(200);
      expect((await create()).status).toBe(201);
      expect((await remove()).status).toBe(200);
      expect(await events('repositories', 'RepositoryDeleted', 'namespace', 'idem_gus')).toBe(1);
      expect((await http(url, 'GET', '/v1/repositories/idem_gus/web', { headers: as })).status).toBe(200);
    });

    it('a checksum retried with its key: 200 both times, one ChecksumVerified', async () => {
      expect((await register('idem_hal')).status).toBe(201);
      const [image] = await imageChain('idem', [{ 'hello.txt': 'hello' }]);
      const index = new DockerIndexClient(url, { username: 'idem_hal', password: 'secret1' });
      const created = await index.createRepository('idem_hal/app', [{ id: image.id, Tag: 'latest' }]);
      expect(created.status).toBe(200);
      const auth = { Authorization: `Token ${created.headers.get('x-docker-token')}` };
      const json = await http(url, 'PUT', `/v1/images/${image.id}/json`, { raw: image.json, headers: { ...auth, 'Content-type': 'application/json' } });
      expect(json.status).toBe(200);
      expect((await putChunked(url, `/v1/images/${image.id}/layer`, image.layer, auth)).status).toBe(200);
      const checksum = () =>
        http(url, 'PUT', `/v1/images/${image.id}/checksum`, {
          headers: {
            ...auth,
            'X-Docker-Checksum': `tarsum+sha256:${'0'.repeat(64)}`,
            'X-Docker-Checksum-Payload': payloadChecksum(image),
            'Idempotency-Key': 'hal-checksum-1',
          },
        });
      expect((await checksum()).status).toBe(200);
      expect((await checksum()).status).toBe(200);
      expect(await events('images', 'ChecksumVerified', 'imageId', image.id)).toBe(1);
    });
  });
}
