import { DockerIndexClient, imageIdOf } from './support/docker-index-client';
import { TEST_ADMIN_PASSWORD, TestHub } from './support/hubs';
import { basic, confirmationPath, http } from './support/http';

const TOKEN_FORMAT = /^signature=[A-Za-z0-9_.-]+,repository="([^"]+)",access=(read|write|delete)$/;

/**
 * The index API for repositories, images, tokens and tags (seeds 000, 001, 004), played as the
 * docker 1.x client's push, pull and delete conversations plus every error case. The hub requires
 * e-mail confirmation; `hub_root` is its bootstrap admin. `endpoints` is what X-Docker-Endpoints must say.
 */
export function describeIndexApi(mode: string, start: () => Promise<TestHub>, endpoints: (url: string) => string): void {
  describe(`index API (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    const user = async (username: string, password = 'secret1', confirm = true) => {
      const created = await http(url, 'POST', '/v1/users/', { body: { username, password, email: `${username}@example.com` } });
      expect(created.status).toBe(201);
      if (confirm) expect((await http(url, 'GET', confirmationPath(hub.dataDir, username))).status).toBe(200);
      return new DockerIndexClient(url, { username, password });
    };
    const as = (username: string, password = 'secret1') => ({ Authorization: basic(username, password) });
    const ids = (...seeds: string[]) => seeds.map(imageIdOf);
    let alice: DockerIndexClient;
    let bob: DockerIndexClient;
    let root: DockerIndexClient;

    beforeAll(async () => {
      hub = await start();
      url = hub.urls[0];
      alice = await user('alice_01');
      bob = await user('bob_0001');
      root = new DockerIndexClient(url, { username: 'hub_root', password: TEST_ADMIN_PASSWORD });
    });
    afterAll(async () => {
      await hub?.stop();
    });

    describe('docker push', () => {
      it('create answers 200 with a write token in the seed format and host:port endpoints', async () => {
        const [p, c] = ids('p1', 'c1');
        const answer = await alice.createRepository('alice_01/web', [{ id: p }, { id: c, Tag: 'latest' }, { id: c, Tag: 'v1' }]);
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        const token = answer.headers.get('x-docker-token')!;
        expect(token).toMatch(TOKEN_FORMAT);
        expect(TOKEN_FORMAT.exec(token)!.slice(1)).toEqual(['alice_01/web', 'write']);
        expect(answer.headers.get('www-authenticate')).toBe(`Token ${token}`);
        expect(answer.headers.get('x-docker-endpoints')).toBe(endpoints(url));
        expect(answer.headers.get('x-docker-endpoints')).not.toMatch(/:\/\//);
      });

      it('the whole push conversation, then a pull sees the images and the tag', async () => {
        const images = ids('base', 'mid', 'top');
        await alice.push('alice_01/app', images, 'latest');
        const pulled = await new DockerIndexClient(url).getImages('alice_01/app');
        expect(pulled.status).toBe(200);
        expect(pulled.json()).toEqual(images.map((id) => ({ id, checksum: '' })));
        const readToken = pulled.headers.get('x-docker-token')!;
        expect(TOKEN_FORMAT.exec(readToken)!.slice(1)).toEqual(['alice_01/app', 'read']);
        expect(pulled.headers.get('x-docker-endpoints')).toBe(endpoints(url));
        const tags = await new DockerIndexClient(url).getTags('alice_01/app', readToken);
        expect(tags.status).toBe(200);
        expect(tags.json()).toEqual({ latest: images[2] });
        const list = await http(url, 'GET', '/v1/repositories/alice_01/app/tags?format=list');
        expect(list.json()).toEqual([{ image_id: images[2], tag: 'latest' }]);
      });

      it('a second push of the same repository gets a fresh token and keeps the list (no doubles)', async () => {
        const images = ids('again-1', 'again-2');
        const first = await alice.push('alice_01/again', images);
        const second = await alice.push('alice_01/again', [...images, imageIdOf('again-3')]);
        expect(second).not.toBe(first);
        const list = (await alice.getImages('alice_01/again')).json() as { id: string }[];
        expect(list.map((i) => i.id)).toEqual([...images, imageIdOf('again-3')]);
      });

      it('a burst of pushes to one repository all succeed, every image listed once (found in review: a quarter were 409)', async () => {
        const images = ids(...Array.from({ length: 12 }, (_, i) => `burst-${i}`));
        await alice.push('alice_01/burst', [images[0]]);
        const answers = await Promise.all(
          images.map((id) => http(url, 'PUT', '/v1/repositories/alice_01/burst/', { body: [{ id }], headers: { ...as('alice_01'), 'X-Docker-Token': 'true' } })),
        );
        expect(answers.map((answer) => `${answer.status} ${answer.status === 200 ? '' : answer.text}`)).toEqual(images.map(() => '200 '));
        const list = (await alice.getImages('alice_01/burst')).json() as { id: string }[];
        expect(new Set(list.map((image) => image.id))).toEqual(new Set(images));
        expect(list).toHaveLength(images.length);
      });

      it('PUT .../images with [] answers 204 and keeps the images; checksums merge in', async () => {
        const [a, b] = ids('keep-a', 'keep-b');
        await alice.push('alice_01/keep', [a, b]);
        const withChecksum = await http(url, 'PUT', '/v1/repositories/alice_01/keep/images', {
          body: [{ id: a, checksum: 'sha256:abc' }],
          headers: as('alice_01'),
        });
        expect(withChecksum.status).toBe(204);
        const list = (await http(url, 'GET', '/v1/repositories/alice_01/keep/images')).json();
        expect(list).toEqual([
          { id: a, checksum: 'sha256:abc' },
          { id: b, checksum: '' },
        ]);
      });

      it('PUT .../images with [] (which sends no command) is still refused to whoever may not write, and on a deleted repository', async () => {
        const [a] = ids('guarded-a');
        const created = await alice.createRepository('alice_01/guarded', [{ id: a }]);
        expect(created.status).toBe(200);
        const readToken = (await http(url, 'GET', '/v1/repositories/alice_01/guarded/images', { headers: { 'X-Docker-Token': 'true' } })).headers.get('x-docker-token');
        expect(readToken).toBeTruthy();
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/guarded/images', { body: [], headers: as('bob_0001') })).status).toBe(403);
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/guarded/images', { body: [], headers: { Authorization: `Token ${readToken}` } })).status).toBe(403);
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/guarded/images', { body: [], headers: as('alice_01') })).status).toBe(204);
        expect((await http(url, 'DELETE', '/v1/repositories/alice_01/guarded', { headers: as('alice_01') })).status).toBe(200);
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/guarded/images', { body: [], headers: as('alice_01') })).status).toBe(404);
      });

      it('401 for no, empty (Basic Og==) or wrong credentials, with a challenge; 403 for inactive', async () => {
        const body = JSON.stringify([{ id: imageIdOf('x') }]);
        for (const headers of [{}, { Authorization: 'Basic Og==' }, as('alice_01', 'wrong')]) {
          const answer = await http(url, 'PUT', '/v1/repositories/alice_01/nope/', {
            raw: body,
            headers: { ...headers, 'Content-Type': 'application/json', 'X-Docker-Token': 'true' },
          });
          expect(answer.status).toBe(401);
          expect(answer.headers.get('www-authenticate')).toContain('Basic');
        }
        const inactive = await user('ina_0001', 'secret1', false);
        expect((await inactive.createRepository('ina_0001/web', [])).status).toBe(403);
      });

      it('403 in someone else’s namespace and, for non-admins, in library', async () => {
        expect((await bob.createRepository('alice_01/web', [])).status).toBe(403);
        expect((await bob.createRepository('bob_0001/../x', [])).status).toBeGreaterThanOrEqual(400);
        const library = await bob.createRepository('busybox', []);
        expect(library.status).toBe(403);
        expect((await bob.createRepository('library/busybox', [])).status).toBe(403);
      });

      it.each([
        ['an object without fields on a missing repository', '{}', 404],
        ['entries without id', '[{"Tag":"latest"}]', 400],
        ['a non-string id', '[{"id": 5}]', 400],
        ['an invalid image id', '[{"id": "not-hex"}]', 400],
        ['malformed JSON', '[{"id": ', 400],
        ['a string', '"hello"', 400],
      ])('rejects %s', async (_what, raw, status) => {
        const answer = await http(url, 'PUT', '/v1/repositories/alice_01/badbody/', {
          raw,
          headers: { ...as('alice_01'), 'Content-Type': 'application/json' },
        });
        expect(answer.status).toBe(status);
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
      });

      it('rejects invalid repository names with 400', async () => {
        expect((await alice.createRepository('alice_01/Bad.Name', [])).status).toBe(400);
      });
    });

    describe('library repositories', () => {
      it('admins create them; foo and library/foo are the same repository on every route', async () => {
        const images = ids('lib-1');
        const created = await root.createRepository('busybox', [{ id: images[0], Tag: 'latest' }]);
        expect(created.status).toBe(200);
        const token = created.headers.get('x-docker-token')!;
        expect(TOKEN_FORMAT.exec(token)![1]).toBe('library/busybox');
        expect((await root.putTag('busybox', 'latest', images[0], token)).status).toBe(200);
        for (const path of ['busybox', 'library/busybox']) {
          expect((await http(url, 'GET', `/v1/repositories/${path}/images`)).json()).toEqual([{ id: images[0], checksum: '' }]);
          expect((await http(url, 'GET', `/v1/repositories/${path}/tags`)).json()).toEqual({ latest: images[0] });
          expect((await http(url, 'GET', `/v1/repositories/${path}/tags/latest`)).json()).toBe(images[0]);
          expect((await http(url, 'PUT', `/v1/repositories/${path}/auth`, { headers: { Authorization: `Token ${token}` } })).status).toBe(200);
        }
        expect((await http(url, 'GET', '/v1/repositories/library/busybox')).json()).toMatchObject({ repo_path: 'library/busybox', is_official: true });
      });
    });

    describe('tokens', () => {
      let token: string;
      beforeAll(async () => {
        token = await alice.push('alice_01/tokened', ids('tok-1'));
        await alice.push('alice_01/other', ids('tok-2'));
      });

      it('PUT .../auth: 200 "OK" for a valid token, with or without the trailing slash', async () => {
        for (const path of ['/v1/repositories/alice_01/tokened/auth', '/v1/repositories/alice_01/tokened/auth/']) {
          const answer = await http(url, 'PUT', path, { headers: { Authorization: `Token ${token}` } });
          expect(answer.status).toBe(200);
          expect(answer.text).toBe('"OK"');
        }
      });

      it('PUT .../auth: 403 for forged, other-repository or edited tokens; 404 for an unknown repository; 401 without', async () => {
        const forged = token.replace(/signature=([^,]+)/, (_m, s: string) => `signature=${s.slice(0, -2)}${s.endsWith('xx') ? 'yy' : 'xx'}`);
        const edited = token.replace('access=write', 'access=delete');
        const renamed = token.replace('alice_01/tokened', 'alice_01/other');
        for (const [path, t] of [
          ['alice_01/tokened', forged],
          ['alice_01/tokened', edited],
          ['alice_01/other', token],
          ['alice_01/other', renamed],
          ['alice_01/tokened', 'signature=abc,repository="alice_01/tokened",access=write'],
        ]) {
          const answer = await http(url, 'PUT', `/v1/repositories/${path}/auth`, { headers: { Authorization: `Token ${t}` } });
          expect(answer.status).toBe(403);
        }
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/missing/auth', { headers: { Authorization: `Token ${token}` } })).status).toBe(404);
        expect((await http(url, 'PUT', '/v1/repositories/alice_01/tokened/auth', { headers: as('alice_01') })).status).toBe(401);
      });

      it('GET .../images accepts a valid token of that repository and refuses others, even on a public repository', async () => {
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tokened/images', { headers: { Authorization: `Token ${token}` } })).status).toBe(200);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/other/images', { headers: { Authorization: `Token ${token}` } })).status).toBe(403);
        const forged = token.replace(/(.),repository/, (_m, last: string) => `${last === 'A' ? 'B' : 'A'},repository`);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tokened/images', { headers: { Authorization: `Token ${forged}` } })).status).toBe(403);
        // an empty `Token ` is what a client sends when the index gave none: anonymous
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tokened/images', { headers: { Authorization: 'Token ' } })).status).toBe(200);
      });

      it('a password change voids the user’s tokens', async () => {
        const carol = await user('carol_01');
        const carolToken = await carol.push('carol_01/web', ids('carol-1'));
        const auth = () => http(url, 'PUT', '/v1/repositories/carol_01/web/auth', { headers: { Authorization: `Token ${carolToken}` } });
        expect((await auth()).status).toBe(200);
        const changed = await http(url, 'PUT', '/v1/users/carol_01/', { body: { password: 'newpass1' }, headers: as('carol_01') });
        expect(changed.status).toBe(204);
        const deadline = Date.now() + 5000;
        let status = (await auth()).status;
        while (status !== 403 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          status = (await auth()).status;
        }
        expect(status).toBe(403);
      });
    });

    describe('private repositories', () => {
      beforeAll(async () => {
        const created = await http(url, 'POST', '/v1/repositories/alice_01/', {
          body: { repo_name: 'secret', description: 'hidden', is_public: false },
          headers: as('alice_01'),
        });
        expect(created.status).toBe(201);
      });

      it('answer 404 to anyone who may not read them, on every read route', async () => {
        for (const headers of [{}, as('bob_0001')]) {
          for (const path of ['secret', 'secret/images', 'secret/tags']) {
            expect((await http(url, 'GET', `/v1/repositories/alice_01/${path}`, { headers })).status).toBe(404);
          }
          expect((await http(url, 'PUT', '/v1/repositories/alice_01/secret/images', { body: [], headers })).status).toBe(
            Object.keys(headers).length ? 404 : 401,
          );
        }
        expect((await http(url, 'GET', '/v1/repositories/alice_01/secret/images', { headers: as('alice_01') })).status).toBe(200);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/secret/images', { headers: as('hub_root') })).status).toBe(200);
      });

      it('never show in lists to others', async () => {
        const names = async (headers: Record<string, string>) =>
          ((await http(url, 'GET', '/v1/repositories/alice_01/?page_size=100', { headers })).json() as { results: { repo_name: string }[] }).results.map(
            (r) => r.repo_name,
          );
        expect(await names({})).not.toContain('secret');
        expect(await names(as('bob_0001'))).not.toContain('secret');
        expect(await names(as('alice_01'))).toContain('secret');
      });
    });

    describe('repository metadata (seed 004)', () => {
      it('POST creates with a JSON body: 201 with every field; again is 409', async () => {
        const body = { repo_name: 'meta', description: 'A repo', full_description: 'Long text', is_public: true };
        const created = await http(url, 'POST', '/v1/repositories/bob_0001/', { body, headers: as('bob_0001') });
        expect(created.status).toBe(201);
        expect(created.json()).toMatchObject({
          namespace: 'bob_0001',
          repo_name: 'meta',
          repo_path: 'bob_0001/meta',
          description: 'A repo',
          full_description: 'Long text',
          is_public: true,
          is_automated: false,
          logo: 'default-icon.jpg',
          repo_starred_count: 0,
          download: 0,
          upload: 0,
          pulled_at: null,
          pushed_at: null,
        });
        expect(Date.parse((created.json() as { created_at: string }).created_at)).not.toBeNaN();
        expect((await http(url, 'POST', '/v1/repositories/bob_0001/', { body, headers: as('bob_0001') })).status).toBe(409);
      });

      it.each([
        [{ repo_name: 'x1', is_public: 'yes' }, 400],
        [{ repo_name: 'x2', colour: 'red' }, 400],
        [{ repo_name: 'Bad Name' }, 400],
        [{ description: 'no name' }, 400],
        [['array'], 400],
      ])('POST %j → %d', async (body, status) => {
        expect((await http(url, 'POST', '/v1/repositories/bob_0001/', { body, headers: as('bob_0001') })).status).toBe(status);
      });

      it('POST needs credentials and the namespace’s owner', async () => {
        expect((await http(url, 'POST', '/v1/repositories/bob_0001/', { body: { repo_name: 'y' } })).status).toBe(401);
        expect((await http(url, 'POST', '/v1/repositories/bob_0001/', { body: { repo_name: 'y' }, headers: as('alice_01') })).status).toBe(403);
      });

      it('PUT with an object updates metadata (200 with the detail); only the owner', async () => {
        const updated = await http(url, 'PUT', '/v1/repositories/bob_0001/meta', {
          body: { description: 'Changed', is_public: true },
          headers: as('bob_0001'),
        });
        expect(updated.status).toBe(200);
        expect(updated.json()).toMatchObject({ description: 'Changed' });
        expect((await http(url, 'GET', '/v1/repositories/bob_0001/meta')).json()).toMatchObject({ description: 'Changed' });
        expect((await http(url, 'PUT', '/v1/repositories/bob_0001/meta', { body: { description: 'x' }, headers: as('alice_01') })).status).toBe(403);
        expect((await http(url, 'PUT', '/v1/repositories/bob_0001/meta', { body: { description: 5 }, headers: as('bob_0001') })).status).toBe(400);
      });

      it('lists a namespace in pages of {count, next, previous, results}', async () => {
        for (const name of ['page-a', 'page-b', 'page-c']) {
          expect((await http(url, 'POST', '/v1/repositories/hub_root/', { body: { repo_name: name }, headers: as('hub_root') })).status).toBe(201);
        }
        const first = (await http(url, 'GET', '/v1/repositories/hub_root/?page_size=2')).json() as Record<string, unknown>;
        expect(first).toMatchObject({ count: 3, previous: null });
        expect((first.results as unknown[]).length).toBe(2);
        expect(first.next).toContain('page=2');
        const second = (await http(url, 'GET', '/v1/repositories/hub_root/?page=2&page_size=2')).json() as Record<string, unknown>;
        expect(second).toMatchObject({ count: 3, next: null });
        expect((second.results as { repo_name: string }[]).map((r) => r.repo_name)).toEqual(['page-c']);
        expect((await http(url, 'GET', '/v1/repositories/hub_root/?page=0')).status).toBe(400);
        expect((await http(url, 'GET', '/v1/repositories/hub_root/?page_size=1000')).status).toBe(400);
        expect((await http(url, 'GET', '/v1/repositories/nobody_at_all/')).json()).toMatchObject({ count: 0, results: [] });
      });
    });

    describe('counters', () => {
      it('pushes and pulls are counted from the activity topic into the detail', async () => {
        await alice.push('alice_01/counted', ids('counted'));
        for (let i = 0; i < 2; i++) expect((await new DockerIndexClient(url).getImages('alice_01/counted')).status).toBe(200);
        const deadline = Date.now() + 10000;
        let detail: Record<string, unknown> = {};
        while (Date.now() < deadline) {
          detail = (await http(url, 'GET', '/v1/repositories/alice_01/counted')).json() as Record<string, unknown>;
          if (detail.download === 2 && detail.upload === 1) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(detail).toMatchObject({ download: 2, upload: 1 });
        expect(Date.parse(String(detail.pulled_at))).not.toBeNaN();
        expect(Date.parse(String(detail.pushed_at))).not.toBeNaN();
      });
    });

    describe('tags (seed 004 delete)', () => {
      it('DELETE .../tags/(tag) removes it; unknown tags and images are 404; bad tag names 400', async () => {
        const [image] = ids('tag-img');
        const token = await alice.push('alice_01/tagged', [image], 'v1');
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tagged/tags/v1')).text).toBe(JSON.stringify(image));
        expect((await http(url, 'DELETE', '/v1/repositories/alice_01/tagged/tags/v1', { headers: as('alice_01') })).status).toBe(200);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tagged/tags')).json()).toEqual({});
        expect((await http(url, 'GET', '/v1/repositories/alice_01/tagged/tags/v1')).status).toBe(404);
        expect((await http(url, 'DELETE', '/v1/repositories/alice_01/tagged/tags/v1', { headers: as('alice_01') })).status).toBe(404);
        expect((await alice.putTag('alice_01/tagged', 'v2', imageIdOf('not-in-repo'), token)).status).toBe(404);
        expect((await alice.putTag('alice_01/tagged', '-bad', image, token)).status).toBe(400);
        expect((await http(url, 'DELETE', '/v1/repositories/alice_01/tagged/tags/v1', { headers: as('bob_0001') })).status).toBe(403);
      });
    });

    describe('delete', () => {
      it('the index delete with X-Docker-Token: 202, a delete token and endpoints; the registry delete with it: 200', async () => {
        const images = ids('del-1', 'del-2');
        const writeToken = await alice.push('alice_01/doomed', images);
        const announce = (headers: Record<string, string>) =>
          http(url, 'DELETE', '/v1/repositories/alice_01/doomed/', {
            raw: '""',
            headers: { ...headers, 'Content-Type': 'application/json', 'X-Docker-Token': 'true' },
          });
        expect((await announce(as('bob_0001'))).status).toBe(403);
        expect((await announce({})).status).toBe(401);
        const accepted = await announce(as('alice_01'));
        expect(accepted.status).toBe(202);
        const deleteToken = accepted.headers.get('x-docker-token')!;
        expect(TOKEN_FORMAT.exec(deleteToken)!.slice(1)).toEqual(['alice_01/doomed', 'delete']);
        expect(accepted.headers.get('x-docker-endpoints')).toBe(endpoints(url));
        expect((await http(url, 'GET', '/v1/repositories/alice_01/doomed/images')).status).toBe(200); // not yet

        // a write token is not a delete token
        const wrongAccess = await http(url, 'DELETE', '/v1/repositories/alice_01/doomed/', { headers: { Authorization: `Token ${writeToken}` } });
        expect(wrongAccess.status).toBe(403);
        const deleted = await http(url, 'DELETE', '/v1/repositories/alice_01/doomed/', { headers: { Authorization: `Token ${deleteToken}` } });
        expect(deleted.status).toBe(200);
        for (const path of ['images', 'tags']) {
          expect((await http(url, 'GET', `/v1/repositories/alice_01/doomed/${path}`)).status).toBe(404);
        }
        expect((await http(url, 'DELETE', '/v1/repositories/alice_01/doomed/', { headers: as('alice_01') })).status).toBe(404);

        // The name can be taken again: a new repository with a fresh history; old tokens open nothing.
        await alice.push('alice_01/doomed', [imageIdOf('reborn')]);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/doomed/images')).json()).toEqual([{ id: imageIdOf('reborn'), checksum: '' }]);
        for (const token of [writeToken, deleteToken]) {
          const old = await http(url, 'PUT', '/v1/repositories/alice_01/doomed/auth', { headers: { Authorization: `Token ${token}` } });
          expect(old.status).toBe(403);
        }
      });

      it('the index delete without X-Docker-Token deletes at once: 200', async () => {
        await alice.push('alice_01/quick', ids('quick'));
        const deleted = await http(url, 'DELETE', '/v1/repositories/alice_01/quick', { headers: as('alice_01') });
        expect(deleted.status).toBe(200);
        expect((await http(url, 'GET', '/v1/repositories/alice_01/quick')).status).toBe(404);
      });

      it('library repositories are deleted by admins only', async () => {
        await root.createRepository('todelete', []);
        expect((await http(url, 'DELETE', '/v1/repositories/todelete/', { headers: as('alice_01') })).status).toBe(403);
        expect((await http(url, 'DELETE', '/v1/repositories/library/todelete/', { headers: as('hub_root') })).status).toBe(200);
      });
    });
  });
}
