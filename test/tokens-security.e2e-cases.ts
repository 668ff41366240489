import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { TokenGrant, formatToken } from '@dockyard/contracts';
import { waitUntil } from '@dockyard/testing';
import { TokenKeys, tokenKeyFile } from '@dockyard/token-keys';
import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient } from './support/docker-registry-client';
import { TestHub } from './support/hubs';
import { basic, http } from './support/http';
import { TestImage, imageChain } from './support/layers';

/**
 * The tokens service's database: the hub's own in distributed mode; in standalone mode the
 * embedded cluster, opened with the password the hub keeps beside its data folder.
 */
export function tokensDatabaseUrl(hub: TestHub & { pgPort?: number }): string {
  if (hub.databaseUrl) return hub.databaseUrl;
  const password = readFileSync(join(hub.dataDir, 'pg.password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${hub.pgPort}/dockyard`;
}

/** The hub's token master key: the distributed apps' DOCKYARD_TOKEN_KEY, or the one standalone generated. */
export const tokenMasterKey = (hub: TestHub): string => hub.env?.DOCKYARD_TOKEN_KEY || readFileSync(tokenKeyFile(hub.dataDir), 'utf8').trim();

/** The grant signed inside a token, read without checking its MAC (as an attacker can). */
const grantInside = (token: string): TokenGrant =>
  JSON.parse(Buffer.from(/^signature=([^.]+)\./.exec(token)![1], 'base64url').toString('utf8'));

async function tokenIssuedEvents(databaseUrl: string): Promise<{ tokenId: string; username: string | null; access: string; repository: string }[]> {
  const client = new Client(databaseUrl);
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT data FROM tokens.events WHERE type = 'TokenIssued' ORDER BY position`);
    return rows.map((row) => row.data);
  } finally {
    await client.end();
  }
}

/**
 * Issue 13, played as the attacks that found it: read tokens that outlive a repository going
 * private, lenient spellings of a signed token, and one permanent event per anonymous pull. Users
 * are active at once (no confirmation); `tok_root` is its bootstrap admin (hub option `admin`, password secret1).
 */
export function describeTokensSecurity(mode: string, startHub: () => Promise<TestHub & { pgPort?: number }>): void {
  describe(`token security (${mode})`, () => {
    let hub: TestHub & { pgPort?: number };
    /** The first gateway writes; the last one (another replica in distributed mode) is attacked. */
    let writer: string;
    let other: string;
    const as = (username: string) => ({ Authorization: basic(username, 'secret1') });
    const withToken = (token: string) => ({ Authorization: `Token ${token}` });
    const register = async (username: string) => {
      const created = await http(writer, 'POST', '/v1/users/', { body: { username, password: 'secret1', email: `${username}@example.com` } });
      expect(created.status).toBe(201);
      return new DockerIndexClient(writer, { username, password: 'secret1' });
    };
    let alice: DockerIndexClient;

    /** A real push (index + registry) so the registry image routes have something to serve. */
    const push = async (client: DockerIndexClient, remote: string, images: TestImage[]) => {
      const created = await client.createRepository(remote, images.map((im, i) => (i === images.length - 1 ? { id: im.id, Tag: 'latest' } : { id: im.id })));
      expect(created.status).toBe(200);
      const token = created.headers.get('x-docker-token')!;
      const registry = new DockerRegistryClient(writer, token);
      for (const image of images) expect(await registry.pushImage(image)).toBe('pushed');
      expect((await client.putTag(remote, 'latest', images[images.length - 1].id, token)).status).toBe(200);
      expect((await client.validateImages(remote, created.headers.get('x-docker-endpoints')!)).status).toBe(204);
      return token;
    };
    /** Pull step 1 with `X-Docker-Token: true`: the read token the index hands out. */
    const readToken = async (remote: string, headers: Record<string, string> = {}) => {
      const answer = await http(writer, 'GET', `/v1/repositories/${remote}/images`, { headers: { ...headers, 'X-Docker-Token': 'true' } });
      expect(answer.status).toBe(200);
      return answer.headers.get('x-docker-token')!;
    };
    const makePrivate = async (remote: string, owner: string) => {
      const answer = await http(writer, 'PUT', `/v1/repositories/${remote}`, { body: { is_public: false }, headers: as(owner) });
      expect(answer.status).toBe(200);
    };
    /** Every read route a pull uses with a token: index list and tags, registry json/layer/ancestry. */
    const pullStatuses = async (remote: string, image: TestImage, token: string) => {
      const headers = withToken(token);
      return {
        images: (await http(other, 'GET', `/v1/repositories/${remote}/images`, { headers })).status,
        tags: (await http(other, 'GET', `/v1/repositories/${remote}/tags`, { headers })).status,
        tag: (await http(other, 'GET', `/v1/repositories/${remote}/tags/latest`, { headers })).status,
        json: (await http(other, 'GET', `/v1/images/${image.id}/json`, { headers })).status,
        layer: (await http(other, 'GET', `/v1/images/${image.id}/layer`, { headers })).status,
        ancestry: (await http(other, 'GET', `/v1/images/${image.id}/ancestry`, { headers })).status,
        auth: (await http(other, 'PUT', `/v1/repositories/${remote}/auth`, { headers })).status,
      };
    };
    const allOk = { images: 200, tags: 200, tag: 200, json: 200, layer: 200, ancestry: 200, auth: 200 };
    /** The calls that were let through (none, when a token is refused everywhere): a failure names them. */
    const admitted = (statuses: Record<string, number>) => Object.entries(statuses).filter(([, s]) => s !== 403 && s !== 404);

    beforeAll(async () => {
      hub = await startHub();
      writer = hub.urls[0];
      other = hub.urls[hub.urls.length - 1];
      alice = await register('alice_01');
      await register('bob_0001');
    });
    afterAll(async () => {
      await hub?.stop();
    });

    describe('tokens follow visibility', () => {
      it('once a repository is private, an anonymous pull token and a third user’s read token are refused at once; the owner’s still works', async () => {
        const images = await imageChain('vis', [{ 'a.txt': 'a' }, { 'b.txt': 'b' }]);
        const top = images[1];
        await push(alice, 'alice_01/secret', images);
        const anonymous = await readToken('alice_01/secret');
        const bob = await readToken('alice_01/secret', as('bob_0001'));
        const owner = await readToken('alice_01/secret', as('alice_01'));
        // While public, every one of them pulls.
        for (const token of [anonymous, bob, owner]) expect(await pullStatuses('alice_01/secret', top, token)).toEqual(allOk);

        await makePrivate('alice_01/secret', 'alice_01');
        // The very next request, on the other replica: the grants signed while public no longer open it.
        const anonymousAfter = await pullStatuses('alice_01/secret', top, anonymous);
        const bobAfter = await pullStatuses('alice_01/secret', top, bob);
        expect(admitted(anonymousAfter)).toEqual([]);
        expect(admitted(bobAfter)).toEqual([]);
        expect(await pullStatuses('alice_01/secret', top, owner)).toEqual(allOk);
        // And without any token the repository is hidden, as before.
        expect((await http(other, 'GET', '/v1/repositories/alice_01/secret/images')).status).toBe(404);
        expect((await http(other, 'GET', `/v1/images/${top.id}/json`)).status).toBe(404);
      });

      it('a token of a deleted repository does not open the repository created again under its name', async () => {
        const images = await imageChain('again', [{ 'a.txt': 'a' }]);
        await push(alice, 'alice_01/reborn', images);
        const old = await readToken('alice_01/reborn');
        expect((await http(writer, 'DELETE', '/v1/repositories/alice_01/reborn/', { headers: as('alice_01') })).status).toBe(200);
        await push(alice, 'alice_01/reborn', await imageChain('again-2', [{ 'b.txt': 'b' }]));
        expect((await http(other, 'GET', '/v1/repositories/alice_01/reborn/images', { headers: withToken(old) })).status).toBe(403);
        expect((await http(other, 'GET', '/v1/repositories/alice_01/reborn/tags', { headers: withToken(old) })).status).toBe(403);
      });

      describe('admins (tok_root is the hub’s bootstrap admin)', () => {
        it('an admin’s token issued while public keeps opening the repository once it is private', async () => {
          const images = await imageChain('adm', [{ 'a.txt': 'a' }]);
          await push(alice, 'alice_01/audited', images);
          const admin = await readToken('alice_01/audited', as('tok_root'));
          await makePrivate('alice_01/audited', 'alice_01');
          expect(await pullStatuses('alice_01/audited', images[0], admin)).toEqual(allOk);
        });
      });
    });

    describe('a private repository answers a refused token as a missing name does', () => {
      let image: TestImage;
      let bobToken: string;
      const hidden = 'alice_01/hidden';
      const missing = 'alice_01/nothere';
      beforeAll(async () => {
        [image] = await imageChain('hidden', [{ 'h.txt': 'h' }]);
        await push(alice, hidden, [image]);
        await makePrivate(hidden, 'alice_01');
        bobToken = await push(new DockerIndexClient(writer, { username: 'bob_0001', password: 'secret1' }), 'bob_0001/own', await imageChain('bobown', [{ 'o.txt': 'o' }]));
      });
      /** Status and body of every index route a token reaches, for one repository name. */
      const answersFor = async (remote: string, headers: Record<string, string>) => {
        const answers: Record<string, { status: number; body: string }> = {};
        for (const [route, method, path] of [
          ['images', 'GET', `/v1/repositories/${remote}/images`],
          ['tags', 'GET', `/v1/repositories/${remote}/tags`],
          ['tag', 'GET', `/v1/repositories/${remote}/tags/latest`],
          ['detail', 'GET', `/v1/repositories/${remote}`],
          ['auth', 'PUT', `/v1/repositories/${remote}/auth`],
        ] as const) {
          const answer = await http(other, method, path, { headers });
          answers[route] = { status: answer.status, body: answer.text };
        }
        return answers;
      };

      it.each([
        ['a garbage token naming it', (remote: string) => `signature=abc.def,repository="${remote}",access=read`],
        ['another repository’s token edited to name it', (remote: string) => bobToken.replace('repository="bob_0001/own"', `repository="${remote}"`)],
        ['a valid token of another repository', () => bobToken],
      ])('%s: the same 404 as for a name nobody has, on every index route', async (_what, tokenFor) => {
        const onHidden = await answersFor(hidden, withToken(tokenFor(hidden)));
        const onMissing = await answersFor(missing, withToken(tokenFor(missing)));
        expect(onHidden).toEqual(onMissing);
        for (const answer of Object.values(onHidden)) expect(answer.status).toBe(404);
      });

      it('a registry call with a token naming it answers as for a token naming a missing repository', async () => {
        const forged = (remote: string) => `signature=abc.def,repository="${remote}",access=read`;
        const onHidden = await http(other, 'GET', `/v1/images/${image.id}/json`, { headers: withToken(forged(hidden)) });
        const onMissing = await http(other, 'GET', `/v1/images/${image.id}/json`, { headers: withToken(forged(missing)) });
        expect({ status: onHidden.status, body: onHidden.text }).toEqual({ status: onMissing.status, body: onMissing.text });
        expect(onHidden.status).toBe(403);
      });

      it('a wrong password gets the same 401 on it as on a missing name', async () => {
        const wrong = { Authorization: basic('bob_0001', 'not-his') };
        const onHidden = await http(other, 'GET', `/v1/repositories/${hidden}/images`, { headers: wrong });
        const onMissing = await http(other, 'GET', `/v1/repositories/${missing}/images`, { headers: wrong });
        expect({ status: onHidden.status, body: onHidden.text }).toEqual({ status: onMissing.status, body: onMissing.text });
        expect(onHidden.status).toBe(401);
      });

      it('the controls: the owner reads it; a token of this very repository, refused now, still gets its 403', async () => {
        expect((await http(other, 'GET', `/v1/repositories/${hidden}/images`, { headers: as('alice_01') })).status).toBe(200);
        expect((await http(other, 'GET', `/v1/repositories/${hidden}/images`, { headers: as('bob_0001') })).status).toBe(404);
        const aliceToken = await readToken(hidden, as('alice_01'));
        expect((await http(other, 'PUT', `/v1/repositories/${hidden}/auth`, { headers: withToken(aliceToken) })).status).toBe(200);
      });
    });

    describe('a write or delete token ends with its holder’s right to change the repository', () => {
      it('an admin’s write and delete tokens for another user’s public repository stop working once the admin role is revoked', async () => {
        const role = (method: 'PUT' | 'DELETE') => http(writer, method, '/v1/admin/users/dora_001/roles/admin', { headers: as('tok_root') });
        const dora = await register('dora_001');
        const [base] = await imageChain('demoted', [{ 'd.txt': 'd' }]);
        await push(alice, 'alice_01/demoted', [base]);
        expect((await role('PUT')).status).toBe(204);
        // As an admin, dora gets a write token (the push's create) and a delete token (the Hub delete's index half).
        const created = await dora.createRepository('alice_01/demoted', [{ id: base.id }]);
        expect(created.status).toBe(200);
        const writeToken = created.headers.get('x-docker-token')!;
        const indexDelete = await http(writer, 'DELETE', '/v1/repositories/alice_01/demoted/', { headers: { ...as('dora_001'), 'X-Docker-Token': 'true' } });
        expect(indexDelete.status).toBe(202);
        const deleteToken = indexDelete.headers.get('x-docker-token')!;
        const writeTag = () =>
          http(other, 'PUT', '/v1/repositories/alice_01/demoted/tags/dora', { raw: JSON.stringify(base.id), headers: { ...withToken(writeToken), 'Content-Type': 'application/json' } });
        expect((await writeTag()).status).toBe(200); // the control, while dora is an admin

        expect((await role('DELETE')).status).toBe(204);
        expect((await writeTag()).status).toBe(403);
        const deleted = await http(other, 'DELETE', '/v1/repositories/alice_01/demoted/', { headers: withToken(deleteToken) });
        expect(deleted.status).toBe(403);
        expect((await http(other, 'GET', '/v1/repositories/alice_01/demoted/images')).status).toBe(200);
      });

      it('the owner’s own write token is unaffected (the control)', async () => {
        const [base] = await imageChain('owned', [{ 'w.txt': 'w' }]);
        const token = await push(alice, 'alice_01/owned', [base]);
        const tag = await http(other, 'PUT', '/v1/repositories/alice_01/owned/tags/again', { raw: JSON.stringify(base.id), headers: { ...withToken(token), 'Content-Type': 'application/json' } });
        expect(tag.status).toBe(200);
      });
    });

    describe('token signature variants', () => {
      let token: string;
      let image: TestImage;
      beforeAll(async () => {
        [image] = await imageChain('variants', [{ 'v.txt': 'v' }]);
        await push(alice, 'alice_01/variants', [image]);
        token = await readToken('alice_01/variants');
      });

      it('the token as issued opens the repository (the control)', async () => {
        expect(await pullStatuses('alice_01/variants', image, token)).toEqual(allOk);
      });

      const signatureOf = (t: string) => /^signature=([^,]+),/.exec(t)![1];
      const rest = (t: string) => t.slice(t.indexOf(','));
      it.each([
        ['extra .parts appended to the signature', (t: string) => `signature=${signatureOf(t)}.extra${rest(t)}`],
        ['an empty extra .part', (t: string) => `signature=${signatureOf(t)}.${rest(t)}`],
        ['trailing garbage', (t: string) => `${t}garbage`],
        ['a trailing field', (t: string) => `${t},user="tok_root"`],
        ['a duplicated access field', (t: string) => `${t},access=write`],
        ['a duplicated signature field', (t: string) => `signature=${signatureOf(t)},${t}`],
        ['a different field order', (t: string) => `access=read,repository="alice_01/variants",signature=${signatureOf(t)}`],
        ['a different order with an extra field', (t: string) => `repository="alice_01/variants",extra=1,access=read,signature=${signatureOf(t)}`],
      ])('refuses %s with 403, on the index and the registry routes', async (_what, edit) => {
        const variant = edit(token);
        expect(variant).not.toBe(token);
        const statuses = await pullStatuses('alice_01/variants', image, variant);
        expect(statuses).toEqual({ images: 403, tags: 403, tag: 403, json: 403, layer: 403, ancestry: 403, auth: 403 });
        const answer = await http(other, 'GET', '/v1/repositories/alice_01/variants/images', { headers: withToken(variant) });
        expect(typeof (answer.json() as { error: unknown }).error).toBe('string');
      });
    });

    describe('anonymous read tokens are stateless', () => {
      it('anonymous pulls append no TokenIssued event; a user’s pull still does, and the anonymous token still works', async () => {
        const [image] = await imageChain('stateless', [{ 's.txt': 's' }]);
        await push(alice, 'alice_01/popular', [image]);
        const db = tokensDatabaseUrl(hub);
        // The push's write tokens are recorded in the gateway's next batches, in order: counted from
        // once a later user token (the marker) is there.
        const marker = grantInside(await readToken('alice_01/popular', as('bob_0001'))).tokenId;
        let before: Awaited<ReturnType<typeof tokenIssuedEvents>> = [];
        await waitUntil(async () => (before = await tokenIssuedEvents(db)).some((e) => e.tokenId === marker), { timeoutMs: 15000, what: 'the marker token’s TokenIssued' });
        const tokens: string[] = [];
        for (let i = 0; i < 5; i++) tokens.push(await readToken('alice_01/popular'));
        // A gateway hands the same anonymous read token of a repository out for 5 s instead of
        // signing one a pull (GatewayTokens): fewer than 5 here, whichever replica each call reached.
        expect(new Set(tokens).size).toBeLessThan(tokens.length);
        expect(await tokenIssuedEvents(db)).toEqual(before);
        // Still signed and valid: the anonymous token pulls.
        expect(await pullStatuses('alice_01/popular', image, tokens[0])).toEqual(allOk);

        await readToken('alice_01/popular', as('bob_0001'));
        // The gateway signs it at once and sends its audit record in the next batch (~100 ms).
        let after = before;
        await waitUntil(async () => (after = await tokenIssuedEvents(db)).length > before.length, { timeoutMs: 15000, what: 'the TokenIssued of the user pull' });
        expect(after).toHaveLength(before.length + 1);
        expect(after[after.length - 1]).toMatchObject({ username: 'bob_0001', access: 'read', repository: 'alice_01/popular' });
      });

      it('an anonymous token is still void once its repository is deleted', async () => {
        const [image] = await imageChain('void', [{ 'x.txt': 'x' }]);
        await push(alice, 'alice_01/doomed', [image]);
        const anonymous = await readToken('alice_01/doomed');
        expect((await http(writer, 'DELETE', '/v1/repositories/alice_01/doomed/', { headers: as('alice_01') })).status).toBe(200);
        const statuses = await pullStatuses('alice_01/doomed', image, anonymous);
        expect(admitted(statuses)).toEqual([]);
      });
    });

    describe('tokens the gateway signs (its own kid under the master key)', () => {
      let image: TestImage;
      let genuine: TokenGrant;
      const fresh = (overrides: Partial<TokenGrant> = {}): Omit<TokenGrant, 'kid'> => ({
        ...genuine,
        tokenId: `forged-${Math.random()}`,
        expiresAt: Math.floor(Date.now() / 1000) + 600,
        issuedAt: Date.now(),
        ...overrides,
      });
      const tokenOf = (signature: string) => formatToken(signature, genuine);
      const allForbidden = { images: 403, tags: 403, tag: 403, json: 403, layer: 403, ancestry: 403, auth: 403 };

      beforeAll(async () => {
        [image] = await imageChain('forge', [{ 'f.txt': 'f' }]);
        await push(alice, 'alice_01/forge', [image]);
        genuine = grantInside(await readToken('alice_01/forge'));
        expect(genuine.kid).toMatch(/^[A-Za-z0-9_-]+$/);
      });

      it('the control: a grant signed under the hub’s master key with any derived kid opens it', async () => {
        const replica = TokenKeys.fromSecret(tokenMasterKey(hub));
        expect(await pullStatuses('alice_01/forge', image, tokenOf(replica.sign(fresh())))).toEqual(allOk);
      });

      it('refuses a token under a made-up kid with a MAC the attacker computed', async () => {
        const payload = Buffer.from(JSON.stringify({ ...fresh(), kid: 'madeUpKid01' })).toString('base64url');
        const mac = TokenKeys.fromSecret('attacker').sign(fresh()).split('.')[1];
        expect(await pullStatuses('alice_01/forge', image, tokenOf(`${payload}.${mac}`))).toEqual(allForbidden);
      });

      it('refuses a token with a valid MAC under another master key (even with a real replica’s kid)', async () => {
        const elsewhere = TokenKeys.fromSecret('another hub master key', genuine.kid);
        expect(await pullStatuses('alice_01/forge', image, tokenOf(elsewhere.sign(fresh())))).toEqual(allForbidden);
      });

      it('refuses an expired token, however well signed', async () => {
        const replica = TokenKeys.fromSecret(tokenMasterKey(hub));
        const expired = tokenOf(replica.sign(fresh({ expiresAt: Math.floor(Date.now() / 1000) - 5 })));
        expect(await pullStatuses('alice_01/forge', image, expired)).toEqual(allForbidden);
        const answer = await http(other, 'GET', '/v1/repositories/alice_01/forge/images', { headers: withToken(expired) });
        expect(answer.json()).toEqual({ error: 'Token expired' });
      });

      it('a user’s read token is void once the user’s password changes, on the other replica at once', async () => {
        const carol = await register('carol_001');
        const images = await imageChain('carol', [{ 'c.txt': 'c' }]);
        await push(carol, 'carol_001/own', images);
        const token = await readToken('carol_001/own', as('carol_001'));
        expect(await pullStatuses('carol_001/own', images[0], token)).toEqual(allOk);
        expect((await http(writer, 'PUT', '/v1/users/carol_001/', { body: { password: 'secret2' }, headers: as('carol_001') })).status).toBe(204);
        const after = await pullStatuses('carol_001/own', images[0], token);
        expect(admitted(after)).toEqual([]);
        expect((await http(other, 'GET', '/v1/repositories/carol_001/own/images', { headers: withToken(token) })).json()).toEqual({ error: 'Token was revoked' });
      });

      it('a user’s read token for someone else’s public repository (checked in the gateway) is void once the user’s password changes, at once', async () => {
        await register('dave_001');
        const token = await readToken('alice_01/forge', as('dave_001'));
        expect(grantInside(token).username).toBe('dave_001');
        expect(await pullStatuses('alice_01/forge', image, token)).toEqual(allOk);
        expect((await http(writer, 'PUT', '/v1/users/dave_001/', { body: { password: 'secret2' }, headers: as('dave_001') })).status).toBe(204);
        expect(admitted(await pullStatuses('alice_01/forge', image, token))).toEqual([]);
        expect((await http(other, 'GET', '/v1/repositories/alice_01/forge/images', { headers: withToken(token) })).json()).toEqual({ error: 'Token was revoked' });
      });

      it('a push’s write token stops writing at once, on the other replica, once its user’s password changes or its repository is deleted', async () => {
        const erin = await register('erin_001');
        const [base, next] = await imageChain('erin', [{ 'e.txt': 'e' }, { 'f.txt': 'f' }]);
        const token = await push(erin, 'erin_001/app', [base]);
        const writeTag = (id: string) =>
          http(other, 'PUT', '/v1/repositories/erin_001/app/tags/latest', { raw: JSON.stringify(id), headers: { ...withToken(token), 'Content-Type': 'application/json' } });
        expect((await writeTag(base.id)).status).toBe(200); // the control
        expect((await http(writer, 'PUT', '/v1/users/erin_001/', { body: { password: 'secret2' }, headers: as('erin_001') })).status).toBe(204);
        expect((await writeTag(base.id)).status).toBe(403);
        const json = await http(other, 'PUT', `/v1/images/${next.id}/json`, { raw: next.json, headers: { ...withToken(token), 'Content-Type': 'application/json' } });
        expect([403, 404]).toContain(json.status);

        const frank = await register('frank_01');
        const frankToken = await push(frank, 'frank_01/app', [next]);
        expect((await http(writer, 'DELETE', '/v1/repositories/frank_01/app/', { headers: as('frank_01') })).status).toBe(200);
        expect((await frank.createRepository('frank_01/app', [{ id: next.id }])).status).toBe(200);
        const reused = await http(other, 'PUT', '/v1/repositories/frank_01/app/images', { body: [{ id: next.id }], headers: withToken(frankToken) });
        expect(reused.status).toBe(403);
      });

      it('the audit history shows the TokenIssued of a gateway-signed user token (eventually), with its request', async () => {
        const token = await readToken('alice_01/forge', as('bob_0001'));
        const { tokenId } = grantInside(token);
        type Entry = { type: string; actor?: string; request_id?: string; data: { tokenId?: string; kid?: string } };
        let found: Entry | undefined;
        await waitUntil(
          async () => {
            const answer = await http(writer, 'GET', '/v1/audit/repositories/alice_01/forge/history?limit=1000&type=TokenIssued', { headers: as('alice_01') });
            found = answer.status === 200 ? (answer.json() as { entries: Entry[] }).entries.find((e) => e.data.tokenId === tokenId) : undefined;
            return found !== undefined;
          },
          { timeoutMs: 30000, intervalMs: 200, what: 'the TokenIssued audit row' },
        );
        expect(found).toMatchObject({ type: 'TokenIssued', actor: 'user:bob_0001', request_id: expect.any(String), data: { tokenId, kid: grantInside(token).kid } });
        expect(JSON.stringify(found)).not.toContain(token.split(',')[0].slice('signature='.length));
      });
    });
  });
}
