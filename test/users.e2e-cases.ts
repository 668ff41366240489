import { TestHub } from './support/hubs';
import { basic, confirmationPath, http } from './support/http';

/**
 * The users part of the v1 API, run against every way of running the hub. The hub under test
 * requires e-mail confirmation and has `hub_admin` as its bootstrap admin (password secret1).
 */
export function describeUsersApi(mode: string, start: () => Promise<TestHub>): void {
  describe(`users API (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    const register = (username: string, password = 'secret1', email = `${username}@example.com`) =>
      http(url, 'POST', '/v1/users/', { body: { username, password, email, auth: '' } });
    const login = (username: string, password: string, path = '/v1/users/') =>
      http(url, 'GET', path, { headers: { Authorization: basic(username, password) } });
    const confirm = async (username: string) => {
      const answer = await http(url, 'GET', confirmationPath(hub.dataDir, username));
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('"Email confirmed"');
    };
    const activeUser = async (username: string, password = 'secret1') => {
      expect((await register(username, password)).status).toBe(201);
      await confirm(username);
    };

    beforeAll(async () => {
      hub = await start();
      url = hub.urls[0];
    });
    afterAll(async () => {
      await hub?.stop();
    });

    describe('POST /v1/users/ (register)', () => {
      it('creates an account: 201 "User Created" as JSON', async () => {
        const answer = await register('alice_01');
        expect(answer.status).toBe(201);
        expect(answer.text).toBe('"User Created"');
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      });

      it('answers an existing username with the exact body docker login compares, whatever was sent', async () => {
        await register('bob_0001');
        for (const body of [
          { username: 'bob_0001', password: 'wrong-password', email: '', auth: '' },
          { username: 'bob_0001', password: 'x', email: 'not an email', auth: '' },
          { username: 'bob_0001', password: 'secret1', email: 'bob_0001@example.com' },
        ]) {
          const answer = await http(url, 'POST', '/v1/users/', { body });
          expect(answer.status).toBe(400);
          expect(answer.text).toBe('"Username or email already exists"');
        }
      });

      it('answers an e-mail someone holds the same way', async () => {
        await register('carol_01', 'secret1', 'carol@example.com');
        const answer = await register('carol_02', 'secret1', 'CAROL@example.com');
        expect(answer.status).toBe(400);
        expect(answer.text).toBe('"Username or email already exists"');
      });

      it.each([
        [{ username: 'abc', password: 'secret1', email: 'a@example.com' }, /Username/],
        [{ username: 'Upper_Case', password: 'secret1', email: 'a@example.com' }, /Username/],
        [{ username: 'a'.repeat(31), password: 'secret1', email: 'a@example.com' }, /Username/],
        [{ username: 'dave_01', password: '1234', email: 'd@example.com' }, /Password/],
        [{ username: 'dave_01', password: 'secret1', email: 'nope' }, /Email/],
        [{ username: 'dave_01', password: 'secret1', email: '' }, /Email/],
        [{ username: 'dave_01', email: 'd@example.com' }, /Password/],
        [{ password: 'secret1', email: 'd@example.com' }, /Username/],
        [{ username: 5, password: 'secret1', email: 'd@example.com' }, /username/],
        [{ username: 'dave_01', password: 'secret1', email: 'd@example.com', admin: true }, /admin/],
        // One mailbox only: a list would send the confirmation to a third party.
        [{ username: 'dave_01', password: 'secret1', email: 'x,other@corp.example' }, /Email/],
        [{ username: 'dave_01', password: 'secret1', email: 'd@example.com\r\nBcc: x@evil.example' }, /Email|control/i],
        [{ username: 'dave\u0000_01', password: 'secret1', email: 'd@example.com' }, /Username|control/i],
        [{ username: 'dave_01', password: 'secret\u0000', email: 'd@example.com' }, /Password|control/i],
      ])('rejects %j with 400 and a reason', async (body, reason) => {
        const answer = await http(url, 'POST', '/v1/users', { body });
        expect(answer.status).toBe(400);
        expect((answer.json() as { error: string }).error).toMatch(reason);
      });

      it.each([
        ['malformed JSON', '{"username": "x",', 400],
        ['an array', '[]', 400],
        ['a string', '"alice"', 400],
        ['null', 'null', 400],
        ['an empty body', '', 400],
      ])('rejects %s with a 4xx JSON error', async (_what, raw, status) => {
        const answer = await http(url, 'POST', '/v1/users/', { raw, headers: { 'Content-Type': 'application/json' } });
        expect(answer.status).toBe(status);
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
      });

      it('rejects a huge body with 413 and a JSON error', async () => {
        const raw = JSON.stringify({ username: 'huge_user', password: 'x'.repeat(2 * 1024 * 1024), email: 'h@e.com' });
        const answer = await http(url, 'POST', '/v1/users/', { raw, headers: { 'Content-Type': 'application/json' } });
        expect(answer.status).toBe(413);
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
      });
    });

    describe('GET /v1/users/ (login)', () => {
      it('follows the docker 1.x login: 400 exact body, then the Basic check', async () => {
        await activeUser('erin_001');
        const post = await http(url, 'POST', '/v1/users/', {
          raw: '{"username":"erin_001","password":"secret1","auth":"","email":""}',
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
        });
        expect(post.status).toBe(400);
        expect(post.text).toBe('"Username or email already exists"');
        const get = await login('erin_001', 'secret1');
        expect(get.status).toBe(200);
        expect(get.text).toBe('"OK"');
      });

      it('answers with and without the trailing slash', async () => {
        await activeUser('frank_01');
        expect((await login('frank_01', 'secret1', '/v1/users')).status).toBe(200);
        expect((await login('frank_01', 'secret1', '/v1/users/')).status).toBe(200);
      });

      it('401 for a wrong password, an unknown user, no or empty credentials, with a challenge', async () => {
        await activeUser('gina_001');
        for (const headers of [
          { Authorization: basic('gina_001', 'wrong') },
          { Authorization: basic('nobody_here', 'secret1') },
          { Authorization: 'Basic Og==' },
          { Authorization: 'Basic !!!not-base64' },
          { Authorization: 'Token signature=forged' },
          {} as Record<string, string>,
        ]) {
          const answer = await http(url, 'GET', '/v1/users/', { headers });
          expect(answer.status).toBe(401);
          expect(answer.headers.get('www-authenticate')).toContain('Basic');
          expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
        }
      });

      it('403 until the e-mail is confirmed, then 200; a wrong code is 400', async () => {
        expect((await register('hank_001')).status).toBe(201);
        expect((await login('hank_001', 'secret1')).status).toBe(403);
        const wrong = await http(url, 'GET', '/v1/users/hank_001/confirm?code=not-the-code');
        expect(wrong.status).toBe(400);
        await confirm('hank_001');
        expect((await login('hank_001', 'secret1')).status).toBe(200);
        expect((await http(url, 'GET', confirmationPath(hub.dataDir, 'hank_001'))).status).toBe(400);
      });

      it('a confirmation link for an unknown user is 404', async () => {
        expect((await http(url, 'GET', '/v1/users/nobody_xyz/confirm?code=abc')).status).toBe(404);
      });

      it('works on every gateway replica right after the register answered (read-your-writes)', async () => {
        expect((await register('ivan_001')).status).toBe(201);
        for (const replica of hub.urls) {
          const answer = await http(replica, 'GET', '/v1/users/', { headers: { Authorization: basic('ivan_001', 'secret1') } });
          expect(answer.status).toBe(403); // exists, not confirmed yet: proves the replica sees the account
        }
      });

      it('rate-limits repeated failed logins with 429 and Retry-After', async () => {
        await activeUser('judy_001');
        let last = 0;
        for (let i = 0; i < 11; i++) last = (await login('judy_001', `wrong-${i}`)).status;
        expect(last).toBe(429);
        const answer = await login('judy_001', 'wrong');
        expect(answer.status).toBe(429);
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
      });
    });

    describe('PUT /v1/users/(username)/', () => {
      it('adds an e-mail (keeping the old one) and changes the password: 204', async () => {
        await activeUser('kate_001');
        const put = await http(url, 'PUT', '/v1/users/kate_001/', {
          body: { email: 'kate.second@example.com', password: 'newsecret' },
          headers: { Authorization: basic('kate_001', 'secret1') },
        });
        expect(put.status).toBe(204);
        expect(put.text).toBe('');
        expect((await login('kate_001', 'secret1')).status).toBe(401);
        expect((await login('kate_001', 'newsecret')).status).toBe(200);
        // both addresses are now taken
        for (const email of ['kate_001@example.com', 'kate.second@example.com']) {
          expect((await register('kate_002', 'secret1', email)).text).toBe('"Username or email already exists"');
        }
      });

      it('drops a cached password on every replica once the change answered', async () => {
        await activeUser('leo_0001');
        for (const replica of hub.urls) {
          expect((await http(replica, 'GET', '/v1/users', { headers: { Authorization: basic('leo_0001', 'secret1') } })).status).toBe(200);
        }
        const put = await http(url, 'PUT', '/v1/users/leo_0001', {
          body: { password: 'changed1' },
          headers: { Authorization: basic('leo_0001', 'secret1') },
        });
        expect(put.status).toBe(204);
        for (const replica of hub.urls) {
          expect((await http(replica, 'GET', '/v1/users', { headers: { Authorization: basic('leo_0001', 'secret1') } })).status).toBe(401);
        }
      });

      it('401 without or with wrong credentials', async () => {
        await activeUser('mona_001');
        expect((await http(url, 'PUT', '/v1/users/mona_001/', { body: { email: 'm2@example.com' } })).status).toBe(401);
        const wrong = await http(url, 'PUT', '/v1/users/mona_001/', {
          body: { email: 'm2@example.com' },
          headers: { Authorization: basic('mona_001', 'nope1') },
        });
        expect(wrong.status).toBe(401);
      });

      it('403 for someone else’s account and for an inactive account', async () => {
        await activeUser('nick_001');
        await activeUser('olga_001');
        const other = await http(url, 'PUT', '/v1/users/olga_001/', {
          body: { password: 'hijacked' },
          headers: { Authorization: basic('nick_001', 'secret1') },
        });
        expect(other.status).toBe(403);
        expect((await login('olga_001', 'secret1')).status).toBe(200);
        await register('pete_001');
        const inactive = await http(url, 'PUT', '/v1/users/pete_001/', {
          body: { password: 'another1' },
          headers: { Authorization: basic('pete_001', 'secret1') },
        });
        expect(inactive.status).toBe(403);
      });

      it('an admin may change anyone; 404 for an unknown user', async () => {
        await activeUser('quin_001');
        const auth = { Authorization: basic('hub_admin', 'secret1') };
        expect((await http(url, 'PUT', '/v1/users/quin_001/', { body: { password: 'reset123' }, headers: auth })).status).toBe(204);
        expect((await login('quin_001', 'reset123')).status).toBe(200);
        expect((await http(url, 'PUT', '/v1/users/no_such_user/', { body: { password: 'reset123' }, headers: auth })).status).toBe(404);
      });

      describe('bad bodies', () => {
      beforeAll(() => activeUser('rita_001'));
      it.each([
        [{ email: 'not-an-email' }],
        [{ password: '123' }],
        [{}],
        [{ email: 42 }],
        [{ username: 'rename' }],
      ])('400 for %j', async (body) => {
        const answer = await http(url, 'PUT', '/v1/users/rita_001/', {
          body,
          headers: { Authorization: basic('rita_001', 'secret1') },
        });
        expect(answer.status).toBe(400);
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
      });

      it('400 for an e-mail another user holds', async () => {
        const answer = await http(url, 'PUT', '/v1/users/rita_001/', {
          body: { email: 'alice_01@example.com' },
          headers: { Authorization: basic('rita_001', 'secret1') },
        });
        expect(answer.status).toBe(400);
        expect((answer.json() as { error: string }).error).toMatch(/in use/);
      });
      });
    });

    describe('the rest of the surface', () => {
      it('GET /v1/_ping answers true with the registry headers', async () => {
        const answer = await http(url, 'GET', '/v1/_ping');
        expect(answer.status).toBe(200);
        expect(answer.text).toBe('true');
        expect(answer.headers.get('x-docker-registry-standalone')).toBe('false');
        expect(answer.headers.get('x-docker-registry-version')).toBeTruthy();
      });

      it('GET /v2/ never claims registry/2.0', async () => {
        const answer = await http(url, 'GET', '/v2/');
        expect(answer.headers.get('docker-distribution-api-version')).toBeNull();
        expect(answer.status).toBe(404);
      });

      it('GET /metrics exposes command and read-your-writes timings in the Prometheus format', async () => {
        // Admins only (issue 13): hub_admin was registered by the admin test above.
        const answer = await http(url, 'GET', '/metrics', { headers: { Authorization: basic('hub_admin', 'secret1') } });
        expect(answer.status).toBe(200);
        expect(answer.text).toMatch(/dockyard_command_seconds_count\{service="accounts",pattern="accounts.register-user",outcome="ok"\} [1-9]/);
        expect(answer.text).toContain('dockyard_read_your_writes_wait_seconds_bucket');
        expect(answer.text).toContain('dockyard_http_request_seconds_bucket');
      });

      it('unknown routes are a JSON 404; the request id comes back', async () => {
        const answer = await http(url, 'GET', '/v1/nothing-here', { headers: { 'X-Request-Id': 'req-123' } });
        expect(answer.status).toBe(404);
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
        expect(answer.headers.get('x-request-id')).toBe('req-123');
      });
    });
  });
}
