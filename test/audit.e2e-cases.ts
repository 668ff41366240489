import { verify } from 'node:crypto';
import { Client } from 'pg';
import { AuditEntry } from '../libs/contracts/src';
import { waitUntil } from '../libs/testing/src';
import { DockerIndexClient } from './support/docker-index-client';
import { DockerRegistryClient } from './support/docker-registry-client';
import { DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD, TestHub } from './support/hubs';
import { basic, confirmationPath, http } from './support/http';
import { TestImage, imageChain } from './support/layers';
import { tokensDatabaseUrl } from './tokens-security.e2e-cases';

type Entry = AuditEntry;

/** The hub's database (standalone: the embedded cluster), for the tamper tests. */
async function sql(hub: TestHub & { pgPort?: number }, text: string, values: unknown[] = []): Promise<any[]> {
  const client = new Client(tokensDatabaseUrl(hub));
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

/**
 * Issue 9, the auditor's view, played end to end: a whole docker 1.x push, a pull by someone else,
 * a tag change, a description change through a trusted proxy and a delete; then the history, the
 * state at an instant, verification against the owning services' stores, the export, checkpoints,
 * and every access rule. Users confirm their e-mail (so a confirmation code exists to look for);
 * the hub trusts X-Forwarded-For from 127.0.0.1 (DOCKYARD_TRUST_PROXY).
 */
export function describeAudit(mode: string, startHub: () => Promise<TestHub & { pgPort?: number }>): void {
  describe(`the audit API (${mode})`, () => {
    let hub: TestHub & { pgPort?: number };
    let url: string;
    const password = 'Owner-Secret-9f3';
    const owner = { Authorization: basic('aud_owner', password) };
    const other = { Authorization: basic('aud_other', 'secret1') };
    const auditor = { Authorization: basic('aud_check', 'secret1') };
    const admin = { Authorization: basic(DEFAULT_TEST_ADMIN, TEST_ADMIN_PASSWORD) };
    const codes: string[] = [];
    const tokens: string[] = [];
    let images: TestImage[];
    let firstLife: string;
    let beforeTagChange: string;
    let afterTagChange: string;

    const get = (path: string, headers: Record<string, string> = auditor) => http(url, 'GET', path, { headers });
    const register = async (username: string, secret: string) => {
      expect((await http(url, 'POST', '/v1/users/', { body: { username, password: secret, email: `${username}@example.com` } })).status).toBe(201);
      const link = confirmationPath(hub.dataDir, username);
      codes.push(new URL(link, url).searchParams.get('code')!);
      expect((await http(url, 'GET', link)).status).toBe(200);
    };
    /** Every entry of a history, page after page (small pages: the cursor is exercised). */
    const all = async (path: string, headers: Record<string, string> = auditor): Promise<Entry[]> => {
      const entries: Entry[] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const answer = await get(`${path}${sep}limit=7${cursor ? `&cursor=${cursor}` : ''}`, headers);
        expect(answer.status).toBe(200);
        const page = answer.json() as { entries: Entry[]; next: string | null };
        entries.push(...page.entries);
        cursor = page.next;
      } while (cursor);
      return entries;
    };
    const history = (name = 'aud_owner/app') => all(`/v1/audit/repositories/${name}/history`);
    /** Waits for the projector: a name it has not seen yet is a 404 until it has. */
    const until = (what: string, check: (entries: Entry[]) => boolean, name = 'aud_owner/app') =>
      waitUntil(async () => (await get(`/v1/audit/repositories/${name}/history`)).status === 200 && check(await history(name)), {
        timeoutMs: 30000,
        intervalMs: 100,
        what,
      });

    beforeAll(async () => {
      hub = await startHub();
      url = hub.urls[0];
      await register('aud_owner', password);
      await register('aud_other', 'secret1');
      await register('aud_check', 'secret1');
      expect((await http(url, 'PUT', '/v1/admin/users/aud_check/roles/auditor', { headers: admin })).status).toBe(204);
    });
    afterAll(async () => {
      await hub?.stop();
    });

    it('a push, a pull, a tag change, a description change and a delete appear in order, with actor and address', async () => {
      expect((await get('/v1/users/', { Authorization: basic('aud_owner', 'wrong-password') })).status).toBe(401);
      expect((await get('/v1/users/', owner)).status).toBe(200);

      // docker push
      images = await imageChain('audited', [{ a: '1' }, { b: '2' }]);
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      const created = await index.createRepository('aud_owner/app', [{ id: images[0].id }, { id: images[1].id, Tag: 'latest' }]);
      expect(created.status).toBe(200);
      const token = created.headers.get('x-docker-token')!;
      tokens.push(token);
      const registry = new DockerRegistryClient(url, token);
      for (const image of images) expect(await registry.pushImage(image)).toBe('pushed');
      expect((await index.putTag('aud_owner/app', 'latest', images[1].id, token)).status).toBe(200);
      expect((await index.validateImages('aud_owner/app', created.headers.get('x-docker-endpoints')!)).status).toBe(204);
      await until('the push', (entries) => entries.some((e) => e.type === 'RepositoryPushed') && entries.some((e) => e.type === 'TagSet'));

      // docker pull, by someone else
      const pulled = await new DockerIndexClient(url, { username: 'aud_other', password: 'secret1' }).getImages('aud_owner/app');
      expect(pulled.status).toBe(200);
      tokens.push(pulled.headers.get('x-docker-token')!);
      await new DockerRegistryClient(url, pulled.headers.get('x-docker-token')!).pull('aud_owner/app', 'latest');
      await until('the pull', (entries) => entries.some((e) => e.type === 'RepositoryPulled'));

      // the tag moves
      beforeTagChange = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 20));
      const retag = await http(url, 'PUT', '/v1/repositories/aud_owner/app/tags/latest', { raw: JSON.stringify(images[0].id), headers: { ...owner, 'Content-Type': 'application/json' } });
      expect(retag.status).toBe(200);
      await until('the tag change', (entries) => entries.filter((e) => e.type === 'TagSet').length === 2);
      await new Promise((r) => setTimeout(r, 20));
      afterTagChange = new Date().toISOString();

      // the description changes, through a proxy the hub trusts
      const described = await http(url, 'PUT', '/v1/repositories/aud_owner/app', {
        body: { description: 'audited app' },
        headers: { ...owner, 'X-Forwarded-For': '203.0.113.7', 'User-Agent': 'audit-agent/1.0', 'X-Request-Id': 'describe-1' },
      });
      expect(described.status).toBe(200);

      expect((await http(url, 'DELETE', '/v1/repositories/aud_owner/app/', { headers: owner })).status).toBe(200);
      const entries = await until('the delete', (list) => list.some((e) => e.type === 'RepositoryDeleted')).then(() => history());

      const at = (type: string, nth = 0) => {
        const found = entries.filter((e) => e.type === type)[nth];
        if (!found) throw new Error(`no ${type} #${nth} in ${entries.map((e) => e.type).join(', ')}`);
        return entries.indexOf(found);
      };
      const steps = [at('RepositoryCreated'), at('RepositoryPushed'), at('RepositoryPulled'), at('TagSet', 1), at('RepositoryUpdated'), at('RepositoryDeleted')];
      expect([...steps].sort((a, b) => a - b)).toEqual(steps);
      expect(at('RepositoryCreated')).toBeLessThan(at('TagSet', 0));
      expect(entries.map((e) => Number(e.cursor))).toEqual([...entries.map((e) => Number(e.cursor))].sort((a, b) => a - b));
      for (const type of ['ImagesAdded', 'ImageJsonStored', 'LayerUploaded', 'ChecksumVerified', 'TokenIssued']) expect(at(type)).toBeGreaterThan(-1);
      // every image pushed into it has its json, layer and checksum in the history
      for (const image of images) {
        expect(entries.filter((e) => e.stream === `image-aud_owner/${image.id}`).map((e) => e.type)).toEqual(['ImageJsonStored', 'LayerUploaded', 'ChecksumVerified']);
      }

      const entry = (type: string, nth = 0) => entries[at(type, nth)];
      firstLife = entry('RepositoryCreated').repository_id!;
      expect(entry('RepositoryCreated')).toMatchObject({ actor: 'user:aud_owner', source_ip: '127.0.0.1', service: 'repositories', stream: `repository-${firstLife}`, version: 1 });
      expect(entry('RepositoryCreated').request_id).toEqual(expect.any(String));
      expect(entry('ImageJsonStored')).toMatchObject({ actor: 'user:aud_owner', source_ip: '127.0.0.1', service: 'images' });
      expect(entry('RepositoryPushed')).toMatchObject({ actor: 'user:aud_owner', source_ip: '127.0.0.1', service: 'activity', repository_id: firstLife });
      expect(entry('RepositoryPulled')).toMatchObject({ actor: 'user:aud_other', source_ip: '127.0.0.1', data: { images: [images[0].id, images[1].id] } });
      expect(entry('TagSet', 1)).toMatchObject({ actor: 'user:aud_owner', data: { tag: 'latest', imageId: images[0].id, before: { imageId: images[1].id } } });
      expect(entry('RepositoryUpdated')).toMatchObject({
        actor: 'user:aud_owner',
        source_ip: '203.0.113.7',
        user_agent: 'audit-agent/1.0',
        request_id: 'describe-1',
        data: { changes: { description: 'audited app' }, before: { description: '' } },
      });
      expect(entry('RepositoryDeleted')).toMatchObject({ actor: 'user:aud_owner', repository_id: firstLife });
      for (const e of entries.filter((x) => x.stream)) expect(e.hash).toMatch(/^[0-9a-f]{64}$/);

      // filters
      const tagsOnly = await all('/v1/audit/repositories/aud_owner/app/history?type=TagSet,TagDeleted');
      expect(tagsOnly.map((e) => e.type)).toEqual(['TagSet', 'TagSet']);
      const byOther = await all('/v1/audit/repositories/aud_owner/app/history?actor=aud_other');
      expect(byOther.map((e) => e.type)).toContain('RepositoryPulled');
      expect(new Set(byOther.map((e) => e.type))).toEqual(new Set(['RepositoryPulled', 'TokenIssued']));
      const fromRetag = await all(`/v1/audit/repositories/aud_owner/app/history?from=${beforeTagChange}&until=${afterTagChange}`);
      expect(fromRetag.map((e) => e.type)).toEqual(['TagSet']);
      expect((await get('/v1/audit/repositories/aud_owner/app/history?limit=0')).status).toBe(400);
      expect((await get('/v1/audit/repositories/aud_owner/app/history?limit=1001')).status).toBe(400);
      expect((await get('/v1/audit/repositories/aud_owner/app/history?from=yesterday')).json()).toEqual({ error: expect.any(String) });
      expect((await get('/v1/audit/repositories/aud_owner/app/history?cursor=abc')).status).toBe(400);
      // Found in review: year 0 reached PostgreSQL (a 500), and a day past the month's end rolled over.
      for (const bad of ['from=0000-01-01', 'from=0001-01-01T00:00:00%2B14:00', 'until=2026-02-30']) {
        const refused = await get(`/v1/audit/repositories/aud_owner/app/history?${bad}`);
        expect([refused.status, refused.json()]).toEqual([400, { error: expect.any(String) }]);
      }
    });

    it('state?at= gives the repository as it was: before creation, before and after the tag change, after the delete', async () => {
      const state = async (at?: string) => {
        const answer = await get(`/v1/audit/repositories/aud_owner/app/state${at ? `?at=${encodeURIComponent(at)}` : ''}`);
        expect(answer.status).toBe(200);
        return answer.json() as Record<string, any>;
      };
      expect(await state('2000-01-01T00:00:00Z')).toMatchObject({ repository: 'aud_owner/app', exists: false, tags: {}, images: [] });
      expect(await state(beforeTagChange)).toMatchObject({
        exists: true,
        repository_id: firstLife,
        is_public: true,
        description: '',
        images: [images[0].id, images[1].id],
        tags: { latest: images[1].id },
      });
      expect(await state(afterTagChange)).toMatchObject({ exists: true, tags: { latest: images[0].id }, description: '' });
      expect(await state()).toMatchObject({ exists: false, repository_id: firstLife });
      for (const at of ['not-a-time', '0000-01-01']) {
        const malformed = await get(`/v1/audit/repositories/aud_owner/app/state?at=${at}`);
        expect(malformed.status).toBe(400);
        expect(malformed.json()).toEqual({ error: expect.any(String) });
      }
    });

    it('a name created again shows both lives, told apart by repository_id', async () => {
      const created = await http(url, 'POST', '/v1/repositories/aud_owner/', { body: { repo_name: 'app', description: 'second life' }, headers: owner });
      expect(created.status).toBe(201);
      await until('the second life', (entries) => entries.filter((e) => e.type === 'RepositoryCreated').length === 2);
      const lives = (await history()).filter((e) => e.type === 'RepositoryCreated').map((e) => e.repository_id);
      expect(lives[0]).toBe(firstLife);
      expect(lives[1]).not.toBe(firstLife);
      const state = (await get('/v1/audit/repositories/aud_owner/app/state')).json() as Record<string, unknown>;
      expect(state).toMatchObject({ exists: true, repository_id: lives[1], description: 'second life', tags: {} });
    });

    it("an image pushed before its repository lists it: the image's own entries join that repository's history", async () => {
      // The image's json, layer and checksum entries are already in the feed (first push); this
      // repository's ImagesAdded comes later and must find them.
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      expect((await index.createRepository('aud_owner/later', [{ id: images[0].id }])).status).toBe(200);
      const entries = await until(
        "the earlier image's entries under the later repository",
        // and the push token's TokenIssued, recorded in batches: later tests compare whole feeds
        (list) => list.filter((e) => e.stream === `image-aud_owner/${images[0].id}`).length === 3 && list.some((e) => e.type === 'TokenIssued'),
        'aud_owner/later',
      ).then(() => history('aud_owner/later'));
      expect(entries.filter((e) => e.stream === `image-aud_owner/${images[0].id}`).map((e) => e.type)).toEqual([
        'ImageJsonStored',
        'LayerUploaded',
        'ChecksumVerified',
      ]);
      expect(entries.some((e) => e.stream === `image-aud_owner/${images[1].id}`)).toBe(false);
    });

    it('the user history has the account events and the logins, with their address', async () => {
      const entries = await waitUntil(
        async () => {
          const list = await all('/v1/audit/users/aud_owner/history', owner);
          return list.some((e) => e.type === 'LoginSucceeded') && list.some((e) => e.type === 'LoginFailed') ? list : undefined;
        },
        { timeoutMs: 30000, intervalMs: 100, what: 'the logins' },
      );
      expect(entries.map((e) => e.type)).toEqual(expect.arrayContaining(['UserRegistered', 'EmailConfirmed', 'LoginFailed', 'LoginSucceeded']));
      expect(entries.find((e) => e.type === 'LoginFailed')).toMatchObject({ actor: 'anonymous', source_ip: '127.0.0.1', data: { username: 'aud_owner' } });
      expect(entries.find((e) => e.type === 'LoginSucceeded')).toMatchObject({ actor: 'user:aud_owner', source_ip: '127.0.0.1' });
      expect((await get('/v1/audit/users/aud_owner/history', auditor)).status).toBe(200);
      expect((await get('/v1/audit/users/aud_owner/history', admin)).status).toBe(200);
      expect((await get('/v1/audit/users/aud_owner/history', other)).status).toBe(403);
      expect((await get('/v1/audit/users/aud_owner/history', {})).status).toBe(401);
    });

    it('the NDJSON and CSV exports hold the same entries as the paged feed, and no secret anywhere', async () => {
      const paged = await all('/v1/audit/events');
      expect(paged.length).toBeGreaterThan(20);
      expect(paged.map((e) => Number(e.cursor))).toEqual(paged.map((_, i) => i + 1));
      const ndjson = await http(url, 'GET', '/v1/audit/events', { headers: { ...auditor, Accept: 'application/x-ndjson' } });
      expect(ndjson.status).toBe(200);
      expect(ndjson.headers.get('content-type')).toMatch(/application\/x-ndjson/);
      const lines = ndjson.text.trimEnd().split('\n').map((line) => JSON.parse(line) as Entry);
      expect(lines).toEqual(paged);
      const csv = await http(url, 'GET', '/v1/audit/events', { headers: { ...auditor, Accept: 'text/csv' } });
      expect(csv.status).toBe(200);
      const [header, ...rows] = parseCsv(csv.text);
      expect(header).toEqual(['cursor', 'time', 'type', 'actor', 'source_ip', 'user_agent', 'request_id', 'repository_id', 'service', 'stream', 'version', 'data', 'hash', 'prev_hash']);
      expect(rows.map((row) => [row[0], row[2], JSON.parse(row[11]), row[12]])).toEqual(paged.map((e) => [e.cursor, e.type, e.data, e.hash]));
      // one repository's feed is its history
      const scoped = await all('/v1/audit/events?repository=aud_owner/app');
      expect(scoped).toEqual(await history());

      for (const text of [ndjson.text, csv.text]) {
        expect(text).not.toContain(password);
        expect(text).not.toContain('argon2');
        for (const code of codes) expect(text).not.toContain(code);
        for (const token of tokens) expect(text).not.toContain(/signature=([^,]+)/.exec(token)![1]);
      }
    });

    it('access: anonymous 401; others 403 on a public name, 404 on a private or unknown one; the owner keeps access after deletion', async () => {
      const repo = (name: string, what = 'history') => `/v1/audit/repositories/${name}/${what}`;
      expect((await http(url, 'POST', '/v1/repositories/aud_owner/', { body: { repo_name: 'hidden', is_public: false }, headers: owner })).status).toBe(201);
      await until('the private repository', (entries) => entries.length > 0, 'aud_owner/hidden');
      for (const what of ['history', 'state', 'verify']) {
        const anonymous = await get(repo('aud_owner/app', what), {});
        expect(anonymous.status).toBe(401);
        expect(anonymous.json()).toEqual({ error: expect.any(String) });
        expect((await get(repo('aud_owner/app', what), other)).status).toBe(403);
        expect((await get(repo('aud_owner/hidden', what), other)).status).toBe(404);
        expect((await get(repo('aud_owner/nothing', what), other)).status).toBe(404);
        for (const reader of [owner, auditor, admin]) expect((await get(repo('aud_owner/hidden', what), reader)).status).toBe(200);
      }
      // deleted: its history stays readable by its former owner, and by nobody else new
      expect((await http(url, 'DELETE', '/v1/repositories/aud_owner/hidden/', { headers: owner })).status).toBe(200);
      await until('the deletion', (entries) => entries.some((e) => e.type === 'RepositoryDeleted'), 'aud_owner/hidden');
      expect((await get(repo('aud_owner/hidden'), owner)).status).toBe(200);
      expect((await get(repo('aud_owner/hidden'), other)).status).toBe(404);
      // the feed and checkpoints: admins and auditors only
      for (const path of ['/v1/audit/events', '/v1/audit/checkpoint']) {
        expect((await get(path, {})).status).toBe(401);
        expect((await get(path, other)).status).toBe(403);
        expect((await get(path, owner)).status).toBe(403);
        expect((await get(path, admin)).status).toBe(200);
      }
      // an auditor reads, and writes nothing
      const write = await http(url, 'PUT', '/v1/repositories/aud_owner/app', { body: { description: 'auditor was here' }, headers: auditor });
      expect(write.status).toBe(403);
    });

    it('a checkpoint is signed, and verifies while the feed is untouched', async () => {
      const answer = await get('/v1/audit/checkpoint');
      expect(answer.status).toBe(200);
      const checkpoint = answer.json() as { position: string; head: string; time: string; signature: string; public_key: string };
      const message = Buffer.from(`dockyard-audit-checkpoint\n${checkpoint.position}\n${checkpoint.head}\n${checkpoint.time}`);
      expect(verify(null, message, checkpoint.public_key, Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
      expect((await get('/v1/audit/checkpoint')).json()).toMatchObject({ public_key: checkpoint.public_key });
      const check = async (position: string, head: string) =>
        (await get(`/v1/audit/checkpoint/verify?position=${position}&head=${head}`)).json() as { consistent: boolean };
      expect(await check(checkpoint.position, checkpoint.head)).toEqual({ consistent: true });
      expect(await check(checkpoint.position, 'f'.repeat(64))).toEqual({ consistent: false });
      expect((await get('/v1/audit/checkpoint/verify?position=x&head=y')).status).toBe(400);
    });

    it('verify is true, then false after one stored event is edited in place, naming it; an edited audit entry breaks the checkpoint', async () => {
      const verdict = async () => (await get('/v1/audit/repositories/aud_owner/app/verify')).json() as Record<string, any>;
      const good = await verdict();
      expect(good).toMatchObject({ repository: 'aud_owner/app', valid: true, first_invalid: null });
      expect(good.streams.map((s: { service: string }) => s.service)).toEqual(expect.arrayContaining(['repositories', 'images', 'tokens']));
      expect(good.streams.every((s: { events: number; head: string }) => s.events > 0 && /^[0-9a-f]{64}$/.test(s.head))).toBe(true);

      const checkpoint = (await get('/v1/audit/checkpoint')).json() as { position: string; head: string };
      const [edited] = await sql(
        hub,
        `UPDATE repositories.events SET data = jsonb_set(data, '{changes,description}', '"rewritten"')
         WHERE type = 'RepositoryUpdated' AND stream_id = $1 RETURNING stream_id, stream_version`,
        [`repository-${firstLife}`],
      );
      const bad = await verdict();
      expect(bad.valid).toBe(false);
      expect(bad.first_invalid).toMatchObject({ service: 'repositories', stream: edited.stream_id, version: edited.stream_version });

      // the audit copy itself: an entry changed in the read model no longer hashes to the checkpoint
      await sql(hub, `UPDATE read.audit_entries SET source_ip = '198.51.100.1' WHERE seq = 1`);
      const check = (await get(`/v1/audit/checkpoint/verify?position=${checkpoint.position}&head=${checkpoint.head}`)).json();
      expect(check).toEqual({ consistent: false });
    });

    it('verify is false when an entry of a repository is missing from its history, or another repository\'s stream is linked in (found in review)', async () => {
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      const [image] = await imageChain('linked', [{ l: '1' }]);
      for (const name of ['linked', 'foreign']) {
        const created = await index.createRepository(`aud_owner/${name}`, [{ id: image.id, Tag: 'latest' }]);
        expect(created.status).toBe(200);
        const token = created.headers.get('x-docker-token')!;
        if (name === 'linked') await new DockerRegistryClient(url, token).pushImage(image);
        expect((await index.putTag(`aud_owner/${name}`, 'latest', image.id, token)).status).toBe(200);
        await until(`${name}'s tag`, (entries) => entries.some((e) => e.type === 'TagSet'), `aud_owner/${name}`);
      }
      const verdict = async () => (await get('/v1/audit/repositories/aud_owner/linked/verify')).json() as Record<string, any>;
      expect(await verdict()).toMatchObject({ valid: true, first_invalid: null }); // the control
      const [tagSet] = await sql(
        hub,
        `DELETE FROM read.audit_repository_entries l USING read.audit_entries e
         WHERE l.seq = e.seq AND l.repository = 'aud_owner/linked' AND e.type = 'TagSet' RETURNING l.seq, e.stream, e.version`,
      );
      expect((await history('aud_owner/linked')).some((e) => e.type === 'TagSet')).toBe(false);
      expect((await verdict()).first_invalid).toMatchObject({ stream: tagSet.stream, version: tagSet.version, reason: expect.stringMatching(/lacks/) });
      await sql(hub, `INSERT INTO read.audit_repository_entries (repository, seq) VALUES ('aud_owner/linked', $1)`, [tagSet.seq]);
      expect(await verdict()).toMatchObject({ valid: true });
      // Every entry of the other repository's image list linked in: complete, yet not this name's.
      await sql(
        hub,
        `INSERT INTO read.audit_repository_entries (repository, seq)
         SELECT 'aud_owner/linked', l.seq FROM read.audit_repository_entries l JOIN read.audit_entries e ON e.seq = l.seq
         WHERE l.repository = 'aud_owner/foreign' AND e.stream LIKE 'images-%'`,
      );
      expect((await verdict()).first_invalid).toMatchObject({ reason: expect.stringMatching(/another repository/) });
    });

    it('a reader resuming after a cursor gets the entries that joined the history since, also older ones (found in review: an image listed later)', async () => {
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      const [image] = await imageChain('listed-late', [{ late: '1' }]);
      const early = await index.createRepository('aud_owner/early', [{ id: image.id, Tag: 'latest' }]);
      await new DockerRegistryClient(url, early.headers.get('x-docker-token')!).pushImage(image);
      expect((await index.createRepository('aud_owner/late', [])).status).toBe(200);
      await until('the late repository', (entries) => entries.some((e) => e.type === 'RepositoryCreated'), 'aud_owner/late');
      const read = await history('aud_owner/late');
      const cursor = read.at(-1)!.cursor;
      const feedPosition = (e: Entry) => BigInt((e as Entry & { feed_cursor?: string }).feed_cursor ?? e.cursor);
      const created = feedPosition(read.find((e) => e.type === 'RepositoryCreated')!);
      // The image's own entries (json, layer, checksum) are older than anything read so far.
      expect((await index.createRepository('aud_owner/late', [{ id: image.id }])).status).toBe(200);
      const resumed = await waitUntil(
        async () => {
          const page = (await get(`/v1/audit/repositories/aud_owner/late/history?cursor=${cursor}`)).json() as { entries: Entry[] };
          return page.entries.some((e) => e.type === 'ImagesAdded') ? page.entries : undefined;
        },
        { timeoutMs: 30000, intervalMs: 100, what: 'the listing' },
      );
      const imageEntries = resumed.filter((e) => e.stream === `image-aud_owner/${image.id}`);
      expect(imageEntries.map((e) => e.type)).toEqual(expect.arrayContaining(['ImageJsonStored']));
      // They keep their feed position: older than the repository itself, all of which the reader had read.
      expect(imageEntries.every((e) => feedPosition(e) < created)).toBe(true);
      // And a full read shows each entry once.
      const full = await history('aud_owner/late');
      expect(new Set(full.map((e) => e.cursor)).size).toBe(full.length);
    });

    it('pulls made at once are each counted and audited once (the gateway sends them to the projector in batches)', async () => {
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      expect((await index.createRepository('aud_owner/busy', [])).status).toBe(200);
      const puller = new DockerIndexClient(url, { username: 'aud_other', password: 'secret1' });
      const answers = await Promise.all(Array.from({ length: 25 }, () => puller.getImages('aud_owner/busy')));
      expect(answers.map((a) => a.status)).toEqual(Array(25).fill(200));
      const pulls = await waitUntil(
        async () => {
          // The audit learns the name from RepositoryCreated on its own consumer: a 404 until then.
          if ((await get('/v1/audit/repositories/aud_owner/busy/history')).status !== 200) return undefined;
          const entries = (await history('aud_owner/busy')).filter((e) => e.type === 'RepositoryPulled');
          return entries.length >= 25 && entries;
        },
        { timeoutMs: 30000, intervalMs: 100, what: '25 pull entries' },
      );
      expect(pulls).toHaveLength(25);
      expect(new Set(pulls.map((e) => e.request_id)).size).toBe(25);
      const counted = await waitUntil(
        async () => {
          const found = (await http(url, 'GET', '/v1/search?q=busy', { headers: other })).json() as { results: { name: string; pull_count: number }[] };
          const busy = found.results.find((r) => r.name === 'aud_owner/busy');
          return busy && busy.pull_count >= 25 && busy.pull_count;
        },
        { timeoutMs: 30000, intervalMs: 100, what: 'pull_count 25' },
      );
      expect(counted).toBe(25);
    });

    it("a pull whose User-Agent is written in JSON's own syntax is audited as sent, and the pulls batched with it too", async () => {
      // The projector writes a batch's entries as one JSON parameter: quotes, backslashes and the
      // latin1 bytes a header may carry must neither break out of their field nor fail the batch.
      const index = new DockerIndexClient(url, { username: 'aud_owner', password });
      expect((await index.createRepository('aud_owner/quoted', [])).status).toBe(200);
      const agent = 'evil/1.0 ","data":{"x":1},"hash":"0" \\ \\" é ÿ';
      const puller = new DockerIndexClient(url, { username: 'aud_other', password: 'secret1' });
      const answers = await Promise.all([
        http(url, 'GET', '/v1/repositories/aud_owner/quoted/images', { headers: { ...other, 'User-Agent': agent, 'X-Docker-Token': 'true' } }),
        ...Array.from({ length: 5 }, () => puller.getImages('aud_owner/quoted')),
      ]);
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
      const pulled = (entries: Entry[]) => entries.filter((e) => e.type === 'RepositoryPulled');
      await until('6 pull entries', (entries) => pulled(entries).length >= 6, 'aud_owner/quoted');
      const pulls = pulled(await history('aud_owner/quoted'));
      expect(pulls).toHaveLength(6);
      expect(pulls.filter((e) => e.user_agent === agent)).toHaveLength(1);
      expect(pulls.every((e) => e.actor === 'user:aud_other' && /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    });
  });
}
