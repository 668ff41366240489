import { HubProcess } from './support/hub-process';
import { DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD, TestHub } from './support/hubs';
import { basic, http } from './support/http';

/**
 * Roles cannot be claimed by name (issue 13 points 2 and 3): reserved names, the bootstrap admin,
 * the roles API, and the variables that used to grant roles by name. Played as the attacks: the
 * `library` squatter, the admin-name squatter, the name listed in DOCKYARD_ADMINS.
 *
 * `start(env)` starts a hub with confirmation off and extra environment; `restartAccounts(hub, env)`
 * restarts the process that runs the accounts service with more environment, keeping the data.
 */
export function describeRoles(
  mode: string,
  start: (env?: Record<string, string>) => Promise<TestHub>,
  restartAccounts: (hub: TestHub, env: Record<string, string>) => Promise<{ hub: TestHub; accounts: HubProcess }>,
): void {
  describe(`roles and reserved names (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    const admin = { Authorization: basic(DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD) };
    const as = (username: string, password = 'secret1') => ({ Authorization: basic(username, password) });
    const register = (username: string, password = 'secret1') =>
      http(url, 'POST', '/v1/users/', { body: { username, password, email: `${username}@example.com` } });
    const createLibrary = (name: string, headers: Record<string, string>) =>
      http(url, 'PUT', `/v1/repositories/library/${name}/`, { raw: '[]', headers: { ...headers, 'Content-Type': 'application/json' } });
    const role = (method: 'PUT' | 'DELETE', username: string, name: string, headers: Record<string, string> = admin) =>
      http(url, method, `/v1/admin/users/${username}/roles/${name}`, { headers });

    beforeAll(async () => {
      hub = await start({ DOCKYARD_ADMINS: 'eve_0001', DOCKYARD_AUDITORS: 'eve_0001' });
      url = hub.urls[0];
      for (const name of ['carol_01', 'dave_001', 'eve_0001']) expect((await register(name)).status).toBe(201);
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it.each(['library', 'search', 'users', 'repositories', 'images', 'audit', 'organizations', 'admin', '_ping'])(
      'the reserved name %s cannot be registered, and no account exists afterwards',
      async (name) => {
        const answer = await register(name);
        expect(answer.status).toBe(400);
        expect((answer.json() as { error: string }).error).toMatch(/reserved/);
        expect((await http(url, 'GET', '/v1/users/', { headers: as(name) })).status).toBe(401);
      },
    );

    it('the bootstrap admin logs in and may create library repositories; a plain user may not', async () => {
      expect((await http(url, 'GET', '/v1/users/', { headers: admin })).status).toBe(200);
      expect((await createLibrary('boot_ok', admin)).status).toBe(200);
      expect((await createLibrary('boot_no', as('carol_01'))).status).toBe(403);
    });

    it('an admin creates repositories only in a namespace a user or an organization has: a name registered later inherits nothing', async () => {
      const push = (remote: string) => http(url, 'PUT', `/v1/repositories/${remote}/`, { raw: '[]', headers: { ...admin, 'Content-Type': 'application/json' } });
      const unclaimed = await push('later_01/app');
      expect(unclaimed.status).toBe(404);
      expect(unclaimed.json()).toEqual({ error: expect.stringMatching(/namespace/) });
      const created = await http(url, 'POST', '/v1/repositories/later_01/', { body: { repo_name: 'secret', is_public: false }, headers: admin });
      expect(created.status).toBe(404);
      // Whoever registers the name afterwards finds nothing made there before.
      expect((await register('later_01')).status).toBe(201);
      for (const name of ['app', 'secret']) {
        expect((await http(url, 'GET', `/v1/repositories/later_01/${name}/images`, { headers: as('later_01') })).status).toBe(404);
      }
      // The controls: in a namespace a user has (now later_01's too), the admin may.
      expect((await push('carol_01/by_admin')).status).toBe(200);
      expect((await push('later_01/by_admin')).status).toBe(200);
    });

    it('DOCKYARD_ADMINS and DOCKYARD_AUDITORS grant nothing to the name they list, and start-up warns', async () => {
      expect((await createLibrary('eve_lib', as('eve_0001'))).status).toBe(403);
      expect((await role('PUT', 'carol_01', 'auditor', as('eve_0001'))).status).toBe(403);
      const log = hub.processes.map((p) => p.log).join('\n');
      expect(log).toMatch(/DOCKYARD_ADMINS grants nothing any more/);
      expect(log).toMatch(/DOCKYARD_AUDITORS grants nothing any more/);
    });

    describe('the roles API', () => {
      it('anonymous 401, a non-admin 403, an unknown user 404, an unknown role 400 — all as JSON errors', async () => {
        for (const [headers, status] of [
          [{}, 401],
          [as('dave_001'), 403],
        ] as const) {
          const answer = await role('PUT', 'carol_01', 'admin', headers);
          expect(answer.status).toBe(status);
          expect(answer.json()).toEqual({ error: expect.any(String) });
        }
        expect((await role('PUT', 'no_such_user', 'admin')).status).toBe(404);
        expect((await role('PUT', 'carol_01', 'owner')).status).toBe(400);
        // dave's attempt changed nothing
        expect((await createLibrary('dave_try', as('carol_01'))).status).toBe(403);
      });

      it('an admin grants admin (idempotent), the grantee may then act as admin, and revoking takes it away', async () => {
        expect((await role('PUT', 'carol_01', 'admin')).status).toBe(204);
        expect((await role('PUT', 'carol_01', 'admin')).status).toBe(204);
        expect((await createLibrary('carol_lib', as('carol_01'))).status).toBe(200);
        // the new admin may grant in turn
        expect((await role('PUT', 'dave_001', 'auditor', as('carol_01'))).status).toBe(204);
        expect((await role('DELETE', 'carol_01', 'admin')).status).toBe(204);
        expect((await role('DELETE', 'carol_01', 'admin')).status).toBe(204);
        expect((await createLibrary('carol_lib2', as('carol_01'))).status).toBe(403);
        expect((await role('PUT', 'carol_01', 'admin', as('carol_01'))).status).toBe(403);
      });

      it('an auditor gets no write rights anywhere', async () => {
        expect((await role('PUT', 'dave_001', 'auditor')).status).toBe(204);
        expect((await createLibrary('audit_lib', as('dave_001'))).status).toBe(403);
        expect((await http(url, 'PUT', '/v1/repositories/carol_01/x/', { raw: '[]', headers: { ...as('dave_001'), 'Content-Type': 'application/json' } })).status).toBe(403);
        expect((await role('PUT', 'carol_01', 'admin', as('dave_001'))).status).toBe(403);
      });
    });

    it('a squatter who registered the admin name first is never made admin by the bootstrap', async () => {
      // The operator forgot the password at first start, so the name was free to register...
      expect((await register('boss_0001', 'squatter1')).status).toBe(201);
      // ...then configures the bootstrap admin with that name and restarts.
      const restarted = await restartAccounts(hub, { DOCKYARD_ADMIN_USERNAME: 'boss_0001', DOCKYARD_ADMIN_PASSWORD: 'operator1' });
      hub = restarted.hub;
      url = hub.urls[0];
      expect((await createLibrary('squat_lib', as('boss_0001', 'squatter1'))).status).toBe(403);
      expect((await http(url, 'GET', '/v1/users/', { headers: as('boss_0001', 'operator1') })).status).toBe(401);
      expect(restarted.accounts.log).toMatch(/admin account name is taken by an account the bootstrap did not create/);
      // The real admin is untouched.
      expect((await http(url, 'GET', '/v1/users/', { headers: admin })).status).toBe(200);
    });
  });
}
