import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient } from './support/docker-registry-client';
import { DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD, TestHub } from './support/hubs';
import { basic, http, rawExchange } from './support/http';
import { TestImage, imageChain, imageOn } from './support/layers';

interface SearchAnswer {
  query: string;
  num_results: number;
  num_pages: number;
  page: number;
  page_size: number;
  results: { name: string; description: string; star_count: number; pull_count: number; is_official: boolean; is_trusted: boolean; is_automated: boolean }[];
}

/**
 * Find and share (issue 10): `docker search` as both client generations call it, stars, and
 * organizations whose owners and teams push and pull, played against a whole hub. Confirmation is
 * off; `hub_root` is the bootstrap admin.
 */
export function describeFindAndShare(mode: string, start: () => Promise<TestHub>): void {
  describe(`search, stars, organizations (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    const as = (username: string, password = 'secret1') => ({ Authorization: basic(username, password) });
    const admin = as(DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD);
    const register = (username: string) =>
      http(url, 'POST', '/v1/users/', { body: { username, password: 'secret1', email: `${username}@example.com` } });
    const create = (namespace: string, name: string, who: Record<string, string>, fields: Record<string, unknown> = {}) =>
      http(url, 'POST', `/v1/repositories/${namespace}/`, { body: { repo_name: name, ...fields }, headers: who });
    const search = async (query: string, who: Record<string, string> = {}) => {
      const answer = await http(url, 'GET', `/v1/search?${query}`, { headers: who });
      expect(answer.status).toBe(200);
      return answer.json() as SearchAnswer;
    };
    const names = (answer: SearchAnswer) => answer.results.map((r) => r.name);
    const star = (method: 'PUT' | 'DELETE', repo: string, who: Record<string, string>) => http(url, method, `/v1/user/starred/${repo}`, { headers: who });
    const detail = async (repo: string, who: Record<string, string> = admin) =>
      (await http(url, 'GET', `/v1/repositories/${repo}`, { headers: who })).json() as { repo_starred_count: number; is_repo_starred: boolean };

    /** A docker 1.x push of `images` to `remote` with `client`'s credentials: index, registry, tag, image list. */
    const push = async (username: string, remote: string, images: TestImage[]) => {
      const index = new DockerIndexClient(url, { username, password: 'secret1' });
      const created = await index.createRepository(remote, images.map((image, i) => (i === images.length - 1 ? { id: image.id, Tag: 'latest' } : { id: image.id })));
      if (created.status !== 200) return created.status;
      const token = created.headers.get('x-docker-token')!;
      const registry = new DockerRegistryClient(url, token);
      for (const image of images) await registry.pushImage(image);
      expect((await index.putTag(remote, 'latest', images[images.length - 1].id, token)).status).toBe(200);
      expect((await index.validateImages(remote, created.headers.get('x-docker-endpoints')!)).status).toBe(204);
      return 200;
    };
    /** A docker 1.x pull of `remote`'s latest: the image ids pulled, or the status that stopped it. */
    const pull = async (username: string | null, remote: string): Promise<string[] | number> => {
      const index = new DockerIndexClient(url, username ? { username, password: 'secret1' } : undefined);
      const images = await index.getImages(remote);
      if (images.status !== 200) return images.status;
      const pulled = await new DockerRegistryClient(url, images.headers.get('x-docker-token')!).pull(remote, 'latest');
      return [...pulled.keys()];
    };

    beforeAll(async () => {
      hub = await start();
      url = hub.urls[0];
      for (const name of ['alice_01', 'bob_0001', 'carol_01', 'dave_001', 'olga_001', 'walt_001', 'rita_001']) {
        expect((await register(name)).status).toBe(201);
      }
    });
    afterAll(async () => {
      await hub?.stop();
    });

    describe('search', () => {
      beforeAll(async () => {
        expect((await create('bob_0001', 'qux', as('bob_0001'))).status).toBe(201);
        expect((await create('library', 'qux', admin, { description: 'the official one' })).status).toBe(201);
        expect((await create('alice_01', 'quxly', as('alice_01'))).status).toBe(201);
        expect((await create('carol_01', 'quxtools', as('carol_01'))).status).toBe(201);
        expect((await create('alice_01', 'myqux', as('alice_01'))).status).toBe(201);
        expect((await create('bob_0001', 'plain', as('bob_0001'), { description: 'Has QUX inside' })).status).toBe(201);
        expect((await create('alice_01', 'quxsecret', as('alice_01'), { is_public: false })).status).toBe(201);
        for (const who of ['alice_01', 'bob_0001']) expect((await star('PUT', 'library/qux', as(who))).status).toBe(204);
      });

      it('answers docker 1.4 (q only, anonymous) and 1.12 (q, n, Basic, X-Docker-Token) in the client shape', async () => {
        const old = await http(url, 'GET', '/v1/search?q=qux');
        expect(old.status).toBe(200);
        expect(old.headers.get('content-type')).toMatch(/^application\/json/);
        const body = old.json() as SearchAnswer;
        expect(Object.keys(body).sort()).toEqual(['num_pages', 'num_results', 'page', 'page_size', 'query', 'results']);
        expect(body).toMatchObject({ query: 'qux', num_results: 6, num_pages: 1, page: 1, page_size: 25 });
        expect(body.results[0]).toEqual({
          name: 'library/qux',
          description: 'the official one',
          star_count: 2,
          pull_count: 0,
          is_official: true,
          is_trusted: false,
          is_automated: false,
        });
        for (const result of body.results) expect(typeof result.description).toBe('string');
        const newer = await http(url, 'GET', '/v1/search?q=qux&n=25', { headers: { ...as('carol_01'), 'X-Docker-Token': 'true' } });
        expect(newer.status).toBe(200);
        expect(names(newer.json() as SearchAnswer)).toEqual(names(body));
      });

      it('ranks exact names, then prefixes, then other name matches, then descriptions; stars first within a rank', async () => {
        expect(names(await search('q=QUX'))).toEqual([
          'library/qux',
          'bob_0001/qux',
          'alice_01/quxly',
          'carol_01/quxtools',
          'alice_01/myqux',
          'bob_0001/plain',
        ]);
        expect(names(await search('q=alice_01/quxly'))).toEqual(['alice_01/quxly']);
      });

      it('pages with n and page; odd values are clamped or refused, never a 5xx', async () => {
        const second = await search('q=qux&n=2&page=2');
        expect(second).toMatchObject({ num_results: 6, num_pages: 3, page: 2, page_size: 2 });
        expect(names(second)).toEqual(['alice_01/quxly', 'carol_01/quxtools']);
        expect((await search('q=qux&n=0')).page_size).toBe(1);
        expect((await search('q=qux&n=1000')).page_size).toBe(100);
        expect((await search('q=qux&n=abc')).page_size).toBe(25);
        const past = await search('q=qux&page=9');
        expect(past).toMatchObject({ num_results: 6, results: [] });
        for (const query of ['q=qux&page=0', 'q=qux&page=abc', 'q=qux&page=-1', `q=${'a'.repeat(5000)}`, 'q=qu%01x', 'q=a&q=b']) {
          const answer = await http(url, 'GET', `/v1/search?${query}`);
          expect([query, answer.status]).toEqual([query, 400]);
          expect(typeof (answer.json() as { error: string }).error).toBe('string');
        }
        for (const query of ['', 'q=', 'q=%20', 'q=%25', 'q=_', 'q=%5C']) {
          const answer = await http(url, 'GET', `/v1/search?${query}`);
          expect([query, answer.status]).toEqual([query, 200]);
        }
        expect((await search('q=')).num_results).toBe(0);
        expect((await search('q=%25')).num_results).toBe(0);
      });

      it('finds private repositories only for those who may read them', async () => {
        expect(names(await search('q=quxsecret'))).toEqual([]);
        expect(names(await search('q=quxsecret', as('dave_001')))).toEqual([]);
        expect(names(await search('q=quxsecret', as('alice_01')))).toEqual(['alice_01/quxsecret']);
        expect(names(await search('q=quxsecret', admin))).toEqual(['alice_01/quxsecret']);
      });

      it('a deleted repository is not found from the moment its delete answered', async () => {
        expect((await http(url, 'DELETE', '/v1/repositories/bob_0001/plain/', { headers: as('bob_0001') })).status).toBe(200);
        expect(names(await search('q=qux'))).not.toContain('bob_0001/plain');
      });
    });

    describe('stars', () => {
      beforeAll(async () => {
        expect((await create('carol_01', 'starry', as('carol_01'))).status).toBe(201);
        expect((await create('carol_01', 'hidden', as('carol_01'), { is_public: false })).status).toBe(201);
      });

      it('starring is idempotent and counts in detail, list and search; unstarring too', async () => {
        for (let i = 0; i < 2; i++) expect((await star('PUT', 'carol_01/starry', as('dave_001'))).status).toBe(204);
        expect(await detail('carol_01/starry', as('dave_001'))).toMatchObject({ repo_starred_count: 1, is_repo_starred: true });
        expect(await detail('carol_01/starry', as('bob_0001'))).toMatchObject({ repo_starred_count: 1, is_repo_starred: false });
        const list = (await http(url, 'GET', '/v1/repositories/carol_01/')).json() as { results: { repo_name: string; repo_starred_count: number }[] };
        expect(list.results.find((r) => r.repo_name === 'starry')!.repo_starred_count).toBe(1);
        expect((await search('q=carol_01/starry')).results[0].star_count).toBe(1);
        for (let i = 0; i < 2; i++) expect((await star('DELETE', 'carol_01/starry', as('dave_001'))).status).toBe(204);
        expect((await detail('carol_01/starry')).repo_starred_count).toBe(0);
        expect((await search('q=carol_01/starry')).results[0].star_count).toBe(0);
      });

      it('needs credentials; a repository the caller may not read is not found', async () => {
        expect((await star('PUT', 'carol_01/starry', {})).status).toBe(401);
        expect((await star('PUT', 'carol_01/hidden', as('dave_001'))).status).toBe(404);
        expect((await star('PUT', 'carol_01/nothing', as('dave_001'))).status).toBe(404);
        expect((await star('PUT', 'carol_01/hidden', as('carol_01'))).status).toBe(204);
        // Names no repository or user can have are a 400, as on every route (found in review: 404 and an empty 200).
        for (const name of ['Carol_01/starry', 'carol_01/json', 'carol_01/A']) expect((await star('PUT', name, as('carol_01'))).status).toBe(400);
        expect((await http(url, 'GET', '/v1/users/A/starred')).status).toBe(400);
        // `..` as it is on the wire (fetch would resolve the dot segment away): an empty 200 before.
        const target = new URL(url);
        const dots = await rawExchange(url, `GET /v1/users/../starred HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
        expect(dots.status).toBe(400);
      });

      it('lists a user’s stars in seed 004’s shape, private ones only to that user', async () => {
        expect((await star('PUT', 'carol_01/starry', as('carol_01'))).status).toBe(204);
        const own = (await http(url, 'GET', '/v1/users/carol_01/starred', { headers: as('carol_01') })).json() as {
          count: number;
          next: null;
          previous: null;
          results: { repo_path: string }[];
        };
        expect(own.count).toBe(2);
        expect(own.results.map((r) => r.repo_path).sort()).toEqual(['carol_01/hidden', 'carol_01/starry']);
        expect(own).toMatchObject({ next: null, previous: null });
        const seen = (await http(url, 'GET', '/v1/users/carol_01/starred')).json() as { count: number; results: { repo_path: string }[] };
        expect(seen.results.map((r) => r.repo_path)).toEqual(['carol_01/starry']);
      });

      it('a deleted repository’s stars go with it', async () => {
        expect((await create('dave_001', 'brief', as('dave_001'))).status).toBe(201);
        expect((await star('PUT', 'dave_001/brief', as('carol_01'))).status).toBe(204);
        expect((await http(url, 'DELETE', '/v1/repositories/dave_001/brief/', { headers: as('dave_001') })).status).toBe(200);
        expect((await create('dave_001', 'brief', as('dave_001'))).status).toBe(201);
        expect((await detail('dave_001/brief')).repo_starred_count).toBe(0);
        const list = (await http(url, 'GET', '/v1/users/carol_01/starred')).json() as { results: { repo_path: string }[] };
        expect(list.results.map((r) => r.repo_path)).not.toContain('dave_001/brief');
      });
    });

    describe('organizations and teams', () => {
      const org = (method: string, path: string, who: Record<string, string>, body?: unknown) =>
        http(url, method, `/v1/organizations/${path}`, { headers: who, body });
      let base: TestImage[];
      /** The tokens service learns of a change from the accounts service's event: a token's refusal is awaited (10 s at most). */
      const statusOnceRefused = async (write: () => Promise<{ status: number }>): Promise<number> => {
        let status = 0;
        for (let i = 0; i < 100 && status !== 403; i++) {
          status = (await write()).status;
          if (status !== 403) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return status;
      };

      beforeAll(async () => {
        base = await imageChain('org-base', [{ 'etc/os': 'one' }]);
      });

      it('is created by a signed-in user, who becomes its owner; its name is unique across users and organizations', async () => {
        const created = await http(url, 'POST', '/v1/organizations/', { body: { name: 'acme_org', email: 'ops@acme.example' }, headers: as('olga_001') });
        expect(created.status).toBe(201);
        expect(created.json()).toEqual({ name: 'acme_org', members: [{ username: 'olga_001', role: 'owner' }], teams: [] });
        for (const name of ['acme_org', 'alice_01', 'library', 'No Good']) {
          const taken = await http(url, 'POST', '/v1/organizations/', { body: { name, email: 'x@acme.example' }, headers: as('dave_001') });
          expect([name, taken.status]).toEqual([name, 400]);
          expect(typeof (taken.json() as { error: string }).error).toBe('string');
        }
        expect((await http(url, 'POST', '/v1/organizations/', { body: { name: 'acme_two', email: 'x@acme.example' } })).status).toBe(401);
        expect((await register('acme_org')).status).toBe(400);
        // Unknown fields and wrong types are refused and nothing is created (found in review: 201); a name no organization can have is a 400 on its routes.
        for (const body of [{ name: 'acme_three', email: 'x@acme.example', extra: 1 }, { name: 5, email: 'x@acme.example' }]) {
          const refused = await http(url, 'POST', '/v1/organizations/', { body, headers: as('dave_001') });
          expect([refused.status, refused.json()]).toEqual([400, { error: expect.any(String) }]);
        }
        expect((await http(url, 'GET', '/v1/organizations/acme_three/', { headers: as('dave_001') })).status).toBe(404);
        expect((await http(url, 'GET', '/v1/organizations/BAD/', { headers: as('olga_001') })).status).toBe(400);
        expect((await http(url, 'PUT', '/v1/organizations/BAD/teams/crew', { headers: as('olga_001'), body: { permission: 'read' } })).status).toBe(400);
      });

      it('cannot log in', async () => {
        for (const password of ['secret1', '']) {
          expect((await http(url, 'GET', '/v1/users/', { headers: as('acme_org', password) })).status).toBe(401);
        }
      });

      it('is shown to members only; only owners change it; the last owner stays', async () => {
        expect((await org('GET', 'acme_org/', as('dave_001'))).status).toBe(404);
        expect((await org('PUT', 'acme_org/members/carol_01', as('olga_001'), { role: 'member' })).status).toBe(204);
        expect((await org('PUT', 'acme_org/members/carol_01', as('olga_001'), { role: 'member' })).status).toBe(204);
        expect((await org('GET', 'acme_org/', as('carol_01'))).status).toBe(200);
        expect((await org('PUT', 'acme_org/teams/crew', as('carol_01'), { permission: 'admin' })).status).toBe(403);
        expect((await org('PUT', 'acme_org/teams/crew', as('dave_001'), { permission: 'admin' })).status).toBe(404);
        expect((await org('DELETE', 'acme_org/members/olga_001', as('olga_001'))).status).toBe(400);
        expect((await org('PUT', 'acme_org/members/carol_01', as('olga_001'), { role: 'king' })).status).toBe(400);
        expect((await org('PUT', 'acme_org/members/nobody_9', as('olga_001'), { role: 'member' })).status).toBe(400);
        expect((await org('DELETE', 'acme_org/members/carol_01', as('olga_001'))).status).toBe(204);
        expect((await org('GET', 'acme_org/', as('carol_01'))).status).toBe(404);
      });

      it('its owner creates and pushes its repositories; outsiders may not', async () => {
        expect(await push('olga_001', 'acme_org/app', base)).toBe(200);
        expect((await http(url, 'PUT', '/v1/repositories/acme_org/app', { body: { is_public: false }, headers: as('olga_001') })).status).toBe(200);
        expect((await create('acme_org', 'tools', as('olga_001'))).status).toBe(201);
        expect(await push('dave_001', 'acme_org/app', base)).toBe(403);
        expect(await push('dave_001', 'acme_org/newone', base)).toBe(403);
        expect(await pull('dave_001', 'acme_org/app')).toBe(404);
        expect(await pull(null, 'acme_org/app')).toBe(404);
        expect(await pull('olga_001', 'acme_org/app')).toEqual(base.map((i) => i.id));
      });

      it('a write team pushes its repositories, a read team only pulls them; neither creates nor deletes', async () => {
        expect((await org('PUT', 'acme_org/teams/writers', as('olga_001'), { permission: 'write' })).status).toBe(204);
        expect((await org('PUT', 'acme_org/teams/readers', as('olga_001'), { permission: 'read' })).status).toBe(204);
        expect((await org('PUT', 'acme_org/teams/writers/members/walt_001', as('olga_001'))).status).toBe(204);
        expect((await org('PUT', 'acme_org/teams/readers/members/rita_001', as('olga_001'))).status).toBe(204);
        for (const team of ['writers', 'readers']) expect((await org('PUT', `acme_org/teams/${team}/repositories/app`, as('olga_001'))).status).toBe(204);
        const shown = (await org('GET', 'acme_org', as('rita_001'))).json() as { members: unknown[]; teams: unknown[] };
        expect(shown.teams).toEqual([
          { name: 'readers', permission: 'read', members: ['rita_001'], repositories: ['app'] },
          { name: 'writers', permission: 'write', members: ['walt_001'], repositories: ['app'] },
        ]);
        expect(shown.members).toEqual([
          { username: 'olga_001', role: 'owner' },
          { username: 'rita_001', role: 'member' },
          { username: 'walt_001', role: 'member' },
        ]);

        const next = await imageOn(base[0], 'walt-next', { 'app/bin': 'two' });
        expect(await push('walt_001', 'acme_org/app', [base[0], next])).toBe(200);
        expect(await pull('rita_001', 'acme_org/app')).toEqual([base[0].id, next.id]);
        expect(await push('rita_001', 'acme_org/app', [base[0]])).toBe(403);
        expect(await push('walt_001', 'acme_org/walts', base)).toBe(403);
        expect((await http(url, 'DELETE', '/v1/repositories/acme_org/app/', { headers: as('walt_001') })).status).toBe(403);
        expect((await http(url, 'PUT', '/v1/repositories/acme_org/app', { body: { description: 'x' }, headers: as('walt_001') })).status).toBe(403);
        expect(names(await search('q=acme_org/app', as('rita_001')))).toEqual(['acme_org/app']);
        expect(names(await search('q=acme_org/app', as('dave_001')))).toEqual([]);
      });

      it('a member sees the names of the private repositories his own teams hold, and of public ones; the owner sees every one', async () => {
        expect((await create('acme_org', 'vault', as('olga_001'), { is_public: false })).status).toBe(201);
        expect((await org('PUT', 'acme_org/teams/vaulters', as('olga_001'), { permission: 'read' })).status).toBe(204);
        for (const name of ['vault', 'tools']) expect((await org('PUT', `acme_org/teams/vaulters/repositories/${name}`, as('olga_001'))).status).toBe(204);
        const teamsAs = async (username: string) =>
          ((await org('GET', 'acme_org', as(username))).json() as { teams: { name: string; repositories: string[] }[] }).teams;
        // rita holds no vaulters membership: the private vault's name is not hers to see, the public tools is.
        expect((await teamsAs('rita_001')).find((team) => team.name === 'vaulters')!.repositories).toEqual(['tools']);
        expect((await http(url, 'GET', '/v1/repositories/acme_org/vault', { headers: as('rita_001') })).status).toBe(404);
        // The controls: the owner sees both; rita's own team still shows its private app.
        expect((await teamsAs('olga_001')).find((team) => team.name === 'vaulters')!.repositories).toEqual(['tools', 'vault']);
        expect((await teamsAs('rita_001')).find((team) => team.name === 'readers')!.repositories).toEqual(['app']);
      });

      it('a removed member’s token stops working, and so does his access', async () => {
        // A public repository: only the token's revocation, not visibility, can refuse it.
        expect((await org('PUT', 'acme_org/teams/writers/repositories/tools', as('olga_001'))).status).toBe(204);
        const index = new DockerIndexClient(url, { username: 'walt_001', password: 'secret1' });
        const created = await index.createRepository('acme_org/tools', [{ id: base[0].id, Tag: 'walt' }]);
        expect(created.status).toBe(200);
        const token = created.headers.get('x-docker-token')!;
        await new DockerRegistryClient(url, token).pushImage(base[0]);
        expect((await index.putTag('acme_org/tools', 'walt', base[0].id, token)).status).toBe(200);
        expect((await org('DELETE', 'acme_org/members/walt_001', as('olga_001'))).status).toBe(204);
        expect(await statusOnceRefused(() => index.putTag('acme_org/tools', 'walt2', base[0].id, token))).toBe(403);
        expect(await pull('walt_001', 'acme_org/app')).toBe(404);
        expect(await push('walt_001', 'acme_org/app', base)).toBe(403);
      });

      it('a team lowered from write to read: its member’s earlier write token stops writing; she still pulls', async () => {
        expect((await org('PUT', 'acme_org/teams/readers', as('olga_001'), { permission: 'write' })).status).toBe(204);
        const index = new DockerIndexClient(url, { username: 'rita_001', password: 'secret1' });
        const pushed = await index.createRepository('acme_org/app', [{ id: base[0].id, Tag: 'rita' }]);
        expect(pushed.status).toBe(200);
        const token = pushed.headers.get('x-docker-token')!;
        expect((await index.putTag('acme_org/app', 'rita', base[0].id, token)).status).toBe(200); // the control
        expect((await org('PUT', 'acme_org/teams/readers', as('olga_001'), { permission: 'read' })).status).toBe(204);
        expect(await statusOnceRefused(() => index.putTag('acme_org/app', 'rita2', base[0].id, token))).toBe(403);
        expect(await push('rita_001', 'acme_org/app', base)).toBe(403);
        expect(await pull('rita_001', 'acme_org/app')).toEqual(expect.arrayContaining([base[0].id]));
      });

      it('teams and users named as Object.prototype members (constructor, __proto__) are plain names: no 5xx, no phantom event, revocation still works', async () => {
        // Before: removing the missing team `__proto__` recorded a TeamRemoved without members, the
        // tokens service parked it and held the organization's stream, and no later removal voided a token.
        for (const team of ['__proto__', 'constructor']) expect((await org('DELETE', `acme_org/teams/${team}`, as('olga_001'))).status).toBe(204);
        const refused = await org('PUT', 'acme_org/teams/hasOwnProperty/members/rita_001', as('olga_001'));
        expect(refused.status).toBe(400);
        expect(refused.json()).toEqual({ error: expect.any(String) });
        expect((await org('PUT', 'acme_org/teams/__proto__/repositories/app', as('olga_001'))).status).toBe(404);
        expect((await org('PUT', 'acme_org/teams/constructor', as('olga_001'), { permission: 'write' })).status).toBe(204);
        expect((await org('PUT', 'acme_org/teams/constructor/members/rita_001', as('olga_001'))).status).toBe(204);
        expect((await org('PUT', 'acme_org/teams/constructor/repositories/app', as('olga_001'))).status).toBe(204);
        const shown = await org('GET', 'acme_org/', as('olga_001'));
        expect((shown.json() as { teams: unknown[] }).teams).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'constructor', members: ['rita_001'], repositories: ['app'] })]));
        const index = new DockerIndexClient(url, { username: 'rita_001', password: 'secret1' });
        const pushed = await index.createRepository('acme_org/app', [{ id: base[0].id, Tag: 'proto' }]);
        expect(pushed.status).toBe(200);
        const token = pushed.headers.get('x-docker-token')!;
        expect((await index.putTag('acme_org/app', 'proto', base[0].id, token)).status).toBe(200); // the control
        expect((await org('DELETE', 'acme_org/teams/constructor/members/rita_001', as('olga_001'))).status).toBe(204);
        expect(await statusOnceRefused(() => index.putTag('acme_org/app', 'proto2', base[0].id, token))).toBe(403);
      });
    });
  });
}
