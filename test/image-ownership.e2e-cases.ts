import { waitUntil } from '../libs/testing/src';
import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient, putChunked } from './support/docker-registry-client';
import { TestHub } from './support/hubs';
import { HttpAnswer, basic, http } from './support/http';
import { TestImage, imageChain, imageOn, payloadChecksum, tarLayer } from './support/layers';

const PASSWORD = 'secret1';
const ADMIN = 'hub_root';

/** The same image id with someone else's json and layer: what an attacker uploads. */
async function forged(image: TestImage, text: string): Promise<TestImage> {
  const json = JSON.stringify({ ...JSON.parse(image.json), comment: 'not yours' });
  return { id: image.id, parent: image.parent, json, layer: await tarLayer({ evil: text }) };
}

/**
 * Images belong to a namespace: the attacks of issue 13 (squatter, hijacker, leaker, also against
 * `library`, and a squatter's copy of a base published elsewhere), and the docker 1.x flows that
 * must keep working (a child on a base the pusher pulled from the hub, or on a `library` base,
 * mounts it without uploading it again; one image pushed to two of one's repositories uploads once).
 */
export function describeImageOwnership(mode: string, start: () => Promise<TestHub>): void {
  describe(`image ownership (${mode})`, () => {
    let hub: TestHub;
    let url: string;
    /** Pulls go to the last gateway: another replica where there are several. */
    let pullUrl: string;

    const basicOf = (user: string) => ({ Authorization: basic(user, PASSWORD) });
    const tokenAuth = (token: string) => ({ Authorization: `Token ${token}` });
    const index = (user: string) => new DockerIndexClient(url, { username: user, password: PASSWORD });

    const putJson = (auth: Record<string, string>, image: TestImage) =>
      http(url, 'PUT', `/v1/images/${image.id}/json`, { raw: image.json, headers: { ...auth, 'Content-Type': 'application/json' } });
    const putLayer = (auth: Record<string, string>, image: TestImage) => putChunked(url, `/v1/images/${image.id}/layer`, image.layer, auth);
    const putChecksum = (auth: Record<string, string>, image: TestImage) =>
      http(url, 'PUT', `/v1/images/${image.id}/checksum`, {
        headers: { ...auth, 'X-Docker-Checksum': `tarsum+sha256:${'0'.repeat(64)}`, 'X-Docker-Checksum-Payload': payloadChecksum(image) },
      });
    const get = (what: 'json' | 'layer' | 'ancestry', id: string, auth: Record<string, string> = {}) =>
      http(pullUrl, 'GET', `/v1/images/${id}/${what}`, { headers: auth });
    const already = (answer: HttpAnswer) => answer.status === 409 && answer.text === JSON.stringify({ error: 'Image already exists' });

    /** Push step 1: the index creates the repository, lists the images (the last one tagged) and gives a write token. */
    const open = async (user: string, remote: string, images: TestImage[]) => {
      const created = await index(user).createRepository(
        remote,
        images.map((im, i) => (i === images.length - 1 ? { id: im.id, Tag: 'latest' } : { id: im.id })),
      );
      expect(created.status).toBe(200);
      const token = created.headers.get('x-docker-token')!;
      return { token, endpoints: created.headers.get('x-docker-endpoints')!, registry: new DockerRegistryClient(url, token) };
    };
    /** Push steps 3 (tag) and 4 (`PUT .../images` with `[]`). */
    const finish = async (user: string, remote: string, opened: { token: string; endpoints: string }, top: TestImage) => {
      expect((await index(user).putTag(remote, 'latest', top.id, opened.token)).status).toBe(200);
      expect((await index(user).validateImages(remote, opened.endpoints)).status).toBe(204);
    };
    /** A whole docker push; the registry client counts its layer uploads. */
    const push = async (user: string, remote: string, images: TestImage[]) => {
      const opened = await open(user, remote, images);
      for (const image of images) await opened.registry.pushImage(image);
      await finish(user, remote, opened, images[images.length - 1]);
      return opened.registry;
    };
    /** A docker pull of `remote:latest`, anonymous or logged in as `user` (its token then names the user). */
    const pull = async (remote: string, user?: string) => {
      const listed = await new DockerIndexClient(pullUrl, user ? { username: user, password: PASSWORD } : undefined).getImages(remote);
      expect(listed.status).toBe(200);
      return new DockerRegistryClient(pullUrl, listed.headers.get('x-docker-token')!).pull(remote, 'latest');
    };
    const expectPulled = async (remote: string, images: TestImage[]) => {
      const pulled = await pull(remote);
      expect([...pulled.keys()]).toEqual(images.map((i) => i.id));
      for (const image of images) {
        expect(pulled.get(image.id)!.json).toEqual(JSON.parse(image.json));
        expect(pulled.get(image.id)!.layer.equals(image.layer)).toBe(true);
      }
    };

    beforeAll(async () => {
      hub = await start();
      url = hub.urls[0];
      pullUrl = hub.urls[hub.urls.length - 1];
      // hub_root is the hub's bootstrap admin (test/support/hubs.ts), created at start.
      for (const user of ['alice', 'mallory', 'carol']) {
        const registered = await http(url, 'POST', '/v1/users/', { body: { username: user, password: PASSWORD, email: `${user}@example.com` } });
        expect(registered.status).toBe(201);
      }
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('squatter: an attacker’s earlier upload of the victim’s future id is never served from the victim’s repositories', async () => {
      const [victim] = await imageChain('victim', [{ 'app/bin': 'victim bytes' }]);
      const evil = await forged(victim, 'evil bytes');
      expect((await push('mallory', 'mallory/squat', [evil])).layerPuts).toBe(1);

      const opened = await open('alice', 'alice/app', [victim]);
      // docker's existence check through the victim's token: another namespace's copy is not hers
      expect((await get('json', victim.id, tokenAuth(opened.token))).status).toBe(404);
      expect(await opened.registry.pushImage(victim)).toBe('pushed');
      await finish('alice', 'alice/app', opened, victim);

      await expectPulled('alice/app', [victim]);
      const byToken = await get('json', victim.id, tokenAuth(opened.token));
      expect(byToken.text).toBe(victim.json);
      // the attacker keeps only what is hers, in her own repository
      await expectPulled('mallory/squat', [evil]);
    });

    it('hijacker: during the victim’s upload, the attacker’s json, layer and checksum (token or Basic) change nothing of hers', async () => {
      const [victim] = await imageChain('wip', [{ f: 'victim wip'.repeat(100) }]);
      const [second] = await imageChain('wip-2', [{ g: 'victim second' }]);
      const evil = await forged(victim, 'hijacked');
      const opened = await open('alice', 'alice/wip', [second, victim]);
      const auth = tokenAuth(opened.token);
      expect((await putJson(auth, victim)).status).toBe(200);

      // the attacker lists the id in her own repository and writes with her token: her own copy only
      const attacker = await open('mallory', 'mallory/hijack', [victim]);
      const mine = tokenAuth(attacker.token);
      expect((await putJson(mine, evil)).status).toBe(200);
      expect((await putLayer(mine, evil)).status).toBe(200);
      expect((await putChecksum(mine, evil)).status).toBe(200);
      // and with Basic: her complete copy refuses, and what only alice lists is out of reach
      const mallory = basicOf('mallory');
      expect(already(await putJson(mallory, evil))).toBe(true);
      expect((await putLayer(mallory, evil)).status).toBe(409);
      expect(already(await putChecksum(mallory, evil))).toBe(true);
      expect((await putJson(mallory, second)).status).toBe(403);
      expect((await putLayer(mallory, second)).status).toBe(403);
      expect((await putChecksum(mallory, second)).status).toBe(403);
      // alice's upload goes on and completes with her bytes
      expect((await putLayer(auth, victim)).status).toBe(200);
      expect((await putChecksum(auth, victim)).status).toBe(200);
      expect(await opened.registry.pushImage(second)).toBe('pushed');
      await finish('alice', 'alice/wip', opened, victim);

      const pulled = await pull('alice/wip');
      expect(pulled.get(victim.id)!.layer.equals(victim.layer)).toBe(true);
      expect(pulled.get(victim.id)!.json).toEqual(JSON.parse(victim.json));
      expect((await get('json', victim.id, auth)).text).toBe(victim.json);
    });

    it('leaker: listing a private image’s id in one’s own public repository opens nothing, and its json does not mount it', async () => {
      const created = await http(url, 'POST', '/v1/repositories/alice/', { body: { repo_name: 'secret', is_public: false }, headers: basicOf('alice') });
      expect(created.status).toBe(201);
      const [secret] = await imageChain('secret', [{ 'key.pem': 'private key' }]);
      await push('alice', 'alice/secret', [secret]);

      const leak = await open('mallory', 'mallory/leak', [secret]);
      await finish('mallory', 'mallory/leak', leak, secret);
      const anonymousToken = (await new DockerIndexClient(url).getImages('mallory/leak')).headers.get('x-docker-token')!;
      for (const what of ['json', 'layer', 'ancestry'] as const) {
        expect((await get(what, secret.id)).status).toBe(404);
        expect((await get(what, secret.id, basicOf('mallory'))).status).toBe(404);
        expect((await get(what, secret.id, tokenAuth(leak.token))).status).toBe(404);
        expect((await get(what, secret.id, tokenAuth(anonymousToken))).status).toBe(404);
      }
      await expect(pull('mallory/leak')).rejects.toThrow();

      // the right json, sent by someone who cannot read the source: stored as her own upload, not mounted
      const put = await putJson(tokenAuth(leak.token), secret);
      expect(put.status).toBe(200);
      expect((await get('layer', secret.id, tokenAuth(leak.token))).status).not.toBe(200);
      expect((await get('json', secret.id, tokenAuth(leak.token))).status).not.toBe(200);
      // the owner still reads it
      expect((await get('layer', secret.id, basicOf('alice'))).status).toBe(200);
    });

    it('a child pushed on another user’s public base that the pusher pulled from the hub mounts the base (no layer upload), pulls whole, and keeps it when the base turns private or is deleted', async () => {
      const base = await imageChain('base', [{ 'bin/sh': 'shell' }, { 'lib/libc.so': 'libc'.repeat(1000) }]);
      await push('alice', 'alice/base', base);
      // carol pulls alice's base logged in (on the other gateway), builds on it and pushes at once
      const pulled = await pull('alice/base', 'carol');
      expect([...pulled.keys()]).toEqual(base.map((i) => i.id));
      const child = await imageOn(base[1], 'child', { 'app/run': 'carol app' });
      const carol = await push('carol', 'carol/app', [...base, child]);
      expect(carol.layerPuts).toBe(1);
      await expectPulled('carol/app', [...base, child]);
      const listed = await new DockerIndexClient(pullUrl).getImages('carol/app');
      const ancestry = await get('ancestry', child.id, tokenAuth(listed.headers.get('x-docker-token')!));
      expect(ancestry.json()).toEqual([child.id, base[1].id, base[0].id]);

      // the mount is carol's own complete copy: the source's changes do not reach it
      const update = await http(url, 'PUT', '/v1/repositories/alice/base/', { body: { is_public: false }, headers: basicOf('alice') });
      expect(update.status).toBe(200);
      await expectPulled('carol/app', [...base, child]);
      expect((await http(url, 'DELETE', '/v1/repositories/alice/base/', { headers: basicOf('alice') })).status).toBe(200);
      await expectPulled('carol/app', [...base, child]);
    });

    it('squatter of a public base: a copy of a base’s json with other layer bytes is not mounted for a pusher who never pulled it from the hub', async () => {
      // the base as published elsewhere (say Docker Hub): carol pulled it there, so her local copy is the real one
      const [base] = await imageChain('hub-base', [{ 'bin/sh': 'real shell from elsewhere' }]);
      // mallory knows the json and uploads it first, public, in her own namespace, with poisoned bytes
      const poisoned = { ...base, layer: await tarLayer({ 'bin/sh': 'poisoned shell' }) };
      expect((await push('mallory', 'mallory/hub-base', [poisoned])).layerPuts).toBe(1);
      // carol can read mallory's copy (it is public), but never pulled it from this hub
      const child = await imageOn(base, 'on-hub-base', { 'app/run': 'carol service' });
      const carol = await push('carol', 'carol/service', [base, child]);
      expect(carol.layerPuts).toBe(2);
      // carol's repository serves carol's bytes, never mallory's; mallory's keeps hers
      await expectPulled('carol/service', [base, child]);
      const asCarol = await pull('carol/service', 'carol');
      expect(asCarol.get(base.id)!.layer.equals(poisoned.layer)).toBe(false);
      await expectPulled('mallory/hub-base', [poisoned]);
    });

    describe('in an organization, whose teams hold different repositories (found in review)', () => {
      const org = (method: string, path: string, body?: unknown) =>
        http(url, method, `/v1/organizations/${path}`, { headers: basicOf('alice'), body });

      beforeAll(async () => {
        expect((await http(url, 'POST', '/v1/organizations/', { body: { name: 'teams_org', email: 'ops@teams.example' }, headers: basicOf('alice') })).status).toBe(201);
        for (const [team, member, repo] of [['vault', 'carol', 'vault'], ['tools', 'mallory', 'tools']]) {
          expect((await org('PUT', `teams_org/teams/${team}`, { permission: 'write' })).status).toBe(204);
          expect((await org('PUT', `teams_org/teams/${team}/members/${member}`)).status).toBe(204);
          expect((await org('PUT', `teams_org/teams/${team}/repositories/${repo}`)).status).toBe(204);
        }
        // Teams push to the repositories an owner made: the vault private, the tools public.
        expect((await http(url, 'POST', '/v1/repositories/teams_org/', { body: { repo_name: 'vault', is_public: false }, headers: basicOf('alice') })).status).toBe(201);
        expect((await http(url, 'POST', '/v1/repositories/teams_org/', { body: { repo_name: 'tools', is_public: true }, headers: basicOf('alice') })).status).toBe(201);
      });

      it('leaker: a member who lists another team’s private image in her own repository reads nothing of it, and learns nothing of its existence', async () => {
        const [secret] = await imageChain('org-secret', [{ 'key.pem': 'the vault team key' }]);
        await push('carol', 'teams_org/vault', [secret]);
        const leak = await open('mallory', 'teams_org/tools', [secret]);
        for (const what of ['json', 'layer', 'ancestry'] as const) {
          // Before: 200, served from the namespace's one copy.
          expect((await get(what, secret.id, tokenAuth(leak.token))).status).toBe(404);
        }
        // Her docker then uploads, as for any image it has not: into her repository's copy alone.
        const [unknown] = await imageChain('org-unknown', [{ u: 'never pushed' }]);
        expect((await get('json', unknown.id, tokenAuth(leak.token))).status).toBe(404);
        // The vault team still reads its own.
        const vault = await pull('teams_org/vault', 'carol');
        expect(vault.get(secret.id)!.layer.equals(secret.layer)).toBe(true);
        // The audit lists the vault's copy under the vault alone, though the tools repository lists the id too.
        const imageEntries = async (repo: string) => {
          const history = await http(url, 'GET', `/v1/audit/repositories/teams_org/${repo}/history?limit=1000`, { headers: basicOf(ADMIN) });
          return ((history.json() as { entries: { stream: string | null }[] }).entries ?? []).filter((e) => e.stream?.endsWith(secret.id));
        };
        const inVault = await waitUntil(async () => ((await imageEntries('vault')).length > 0 ? imageEntries('vault') : undefined), {
          timeoutMs: 30000,
          intervalMs: 100,
          what: 'the vault copy in the vault history',
        });
        expect(new Set(inVault.map((e) => e.stream))).toEqual(new Set([`image-teams_org/vault/${secret.id}`]));
        expect((await imageEntries('tools')).filter((e) => e.stream === `image-teams_org/vault/${secret.id}`)).toEqual([]);
      });

      it('squatter: a member’s earlier upload of an id another team will push is not what that team’s push skips to, nor what its pulls get', async () => {
        const [victim] = await imageChain('org-victim', [{ 'app/bin': 'vault team bytes' }]);
        const evil = await forged(victim, 'tools team bytes');
        expect((await push('mallory', 'teams_org/tools', [evil])).layerPuts).toBe(1);
        const opened = await open('carol', 'teams_org/vault', [victim]);
        // docker's existence check: not "already exists" (before: a 200 json, then a skipped upload)
        expect((await get('json', victim.id, tokenAuth(opened.token))).status).toBe(404);
        expect(await opened.registry.pushImage(victim)).toBe('pushed');
        await finish('carol', 'teams_org/vault', opened, victim);
        const pulled = await pull('teams_org/vault', 'carol');
        expect(pulled.get(victim.id)!.layer.equals(victim.layer)).toBe(true);
        // and the squatter keeps her own bytes in her own repository
        const hers = await pull('teams_org/tools', 'mallory');
        expect(hers.get(victim.id)!.layer.equals(evil.layer)).toBe(true);
      });
    });

    it('one image pushed to two of one’s own repositories is uploaded once', async () => {
      const [image] = await imageChain('twice', [{ f: 'twice'.repeat(500) }]);
      expect((await push('alice', 'alice/one', [image])).layerPuts).toBe(1);
      expect((await push('alice', 'alice/two', [image])).layerPuts).toBe(0);
      await expectPulled('alice/two', [image]);
    });

    it('a look-alike copy (the same json, other layer bytes) is never mounted: the pusher uploads her own', async () => {
      const created = await http(url, 'POST', '/v1/repositories/alice/', { body: { repo_name: 'popular', is_public: false }, headers: basicOf('alice') });
      expect(created.status).toBe(201);
      const [base] = await imageChain('popular', [{ 'bin/sh': 'real shell' }]);
      await push('alice', 'alice/popular', [base]);
      // mallory knows the json (it is published elsewhere) and cannot read alice's copy: she stores a look-alike
      const lookAlike = { ...base, layer: await tarLayer({ 'bin/sh': 'evil shell' }) };
      expect((await push('mallory', 'mallory/popular', [lookAlike])).layerPuts).toBe(1);
      expect((await http(url, 'PUT', '/v1/repositories/alice/popular/', { body: { is_public: true }, headers: basicOf('alice') })).status).toBe(200);

      // carol got the base elsewhere and pulled neither copy from the hub: she uploads her own bytes
      const child = await imageOn(base, 'on-popular', { app: 'carol' });
      const carol = await push('carol', 'carol/popular-app', [base, child]);
      expect(carol.layerPuts).toBe(2);
      await expectPulled('carol/popular-app', [base, child]);
    });

    describe('library images (an admin pushes)', () => {
      it('a squatter’s and a hijacker’s uploads never reach a library image; a child on it mounts it without a prior pull', async () => {
        const [lib] = await imageChain('busybox', [{ 'bin/busybox': 'real busybox' }]);
        const [other] = await imageChain('busybox-2', [{ 'bin/true': 'true' }]);
        const evil = await forged(lib, 'evil busybox');
        // squatter first, in her own namespace
        await push('mallory', 'mallory/busybox', [evil]);

        const admin = await open(ADMIN, 'library/busybox', [other, lib]);
        const auth = tokenAuth(admin.token);
        expect((await get('json', lib.id, auth)).status).toBe(404);
        expect((await putJson(auth, lib)).status).toBe(200);
        // hijacker while the admin's upload is in progress: her own copy, or nothing
        const mallory = basicOf('mallory');
        expect(already(await putJson(mallory, evil))).toBe(true);
        expect((await putLayer(mallory, evil)).status).toBe(409);
        expect((await putJson(mallory, other)).status).toBe(403);
        expect((await putLayer(mallory, other)).status).toBe(403);
        expect((await putChecksum(mallory, other)).status).toBe(403);
        expect((await putLayer(auth, lib)).status).toBe(200);
        expect((await putChecksum(auth, lib)).status).toBe(200);
        expect(await admin.registry.pushImage(other)).toBe('pushed');
        await finish(ADMIN, 'library/busybox', admin, lib);
        await expectPulled('library/busybox', [lib]);

        // carol never pulled it from the hub: library (written by admins only) mounts for any reader
        const child = await imageOn(lib, 'on-busybox', { 'app/tool': 'carol tool' });
        const carol = await push('carol', 'carol/tool', [lib, child]);
        expect(carol.layerPuts).toBe(1);
        await expectPulled('carol/tool', [lib, child]);
      });
    });
  });
}
