import { Client } from 'pg';
import { waitUntil } from '../libs/testing/src';
import { DockerIndexClient, imageIdOf } from './support/docker-index-client';
import { TestHub } from './support/hubs';
import { basic, http, registerRetrying } from './support/http';
import { tokensDatabaseUrl } from './tokens-security.e2e-cases';

const USER = { username: 'hot_user', password: 'secret1', email: 'hot@example.com' };
const AUTH = { Authorization: basic(USER.username, USER.password) };

/** The gateways' LISTEN sessions (`HOT_VIEW_APPLICATION_NAME`), terminated: PostgreSQL drops them under the gateways. */
async function terminateListenSessions(hub: TestHub & { pgPort?: number }): Promise<number> {
  const db = new Client(tokensDatabaseUrl(hub));
  await db.connect();
  try {
    const { rows } = await db.query(
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = 'dockyard-gateway-changes' AND datname = current_database()`,
    );
    return rows.filter((r) => r.ok).length;
  } finally {
    await db.end();
  }
}

/**
 * The gateway answers pulls from its hot view (apps/gateway/src/hot/), and still never older than a
 * write acknowledged on any replica: each write on gateway A is read back at once on gateway B (the
 * same gateway in standalone mode), including after the view's LISTEN session was killed.
 */
export function describeHotReads(mode: string, startHub: () => Promise<TestHub & { pgPort?: number }>): void {
  describe(`hot read path, read-your-writes across replicas (${mode})`, () => {
    let hub: TestHub & { pgPort?: number };
    let a: string;
    let b: string;

    beforeAll(async () => {
      hub = await startHub();
      [a, b = hub.urls[0]] = hub.urls;
      expect(await registerRetrying(a, USER)).toBe(201);
    });
    afterAll(async () => {
      await hub?.stop();
    });

    /** What an anonymous pull on `url` sees of `repo`: its image ids and its `latest` tag. */
    async function pulled(url: string, repo: string): Promise<{ status: number; ids?: string[]; latest?: string }> {
      const images = await new DockerIndexClient(url).getImages(repo);
      if (images.status !== 200) return { status: images.status };
      const token = images.headers.get('x-docker-token') ?? '';
      const tags = await new DockerIndexClient(url).getTags(repo, token);
      expect(tags.status).toBe(200);
      return { status: 200, ids: (images.json() as { id: string }[]).map((i) => i.id), latest: (tags.json() as Record<string, string>).latest };
    }

    it('push on A, pull on B back to back, 50 rounds: never stale', async () => {
      const pusher = new DockerIndexClient(a, USER);
      const repo = `${USER.username}/rounds`;
      const pushed: string[] = [];
      for (let round = 0; round < 50; round++) {
        const image = imageIdOf(`${mode}-round-${round}`);
        await pusher.push(repo, [image]);
        pushed.push(image);
        expect(await pulled(b, repo)).toEqual({ status: 200, ids: pushed, latest: image });
      }
    });

    it('a repository deleted on A answers 404 on B at once', async () => {
      const repo = `${USER.username}/doomed`;
      const image = imageIdOf(`${mode}-doomed`);
      await new DockerIndexClient(a, USER).push(repo, [image]);
      expect(await pulled(b, repo)).toEqual({ status: 200, ids: [image], latest: image }); // in B's view now
      expect((await http(a, 'DELETE', `/v1/repositories/${repo}/`, { headers: AUTH })).status).toBe(200);
      expect((await pulled(b, repo)).status).toBe(404);
      expect((await http(b, 'GET', `/v1/repositories/${repo}/tags`)).status).toBe(404);
    });

    it('a repository made private on A refuses anonymous on B at once; its owner still reads it', async () => {
      const repo = `${USER.username}/hidden`;
      const image = imageIdOf(`${mode}-hidden`);
      await new DockerIndexClient(a, USER).push(repo, [image]);
      expect((await pulled(b, repo)).status).toBe(200);
      const changed = await http(a, 'PUT', `/v1/repositories/${repo}`, { body: { is_public: false }, headers: AUTH });
      expect(changed.status).toBe(200);
      expect((await pulled(b, repo)).status).toBe(404);
      expect((await http(b, 'GET', `/v1/repositories/${repo}/images`, { headers: AUTH })).status).toBe(200);
      // and public again
      expect((await http(a, 'PUT', `/v1/repositories/${repo}`, { body: { is_public: true }, headers: AUTH })).status).toBe(200);
      expect((await pulled(b, repo)).status).toBe(200);
    });

    it('the LISTEN session killed under the gateways: the gateways live on and reads stay correct', async () => {
      const repo = `${USER.username}/killed`;
      const pusher = new DockerIndexClient(a, USER);
      const pushed: string[] = [];
      const pushAndRead = async (seed: string) => {
        const image = imageIdOf(`${mode}-${seed}`);
        await pusher.push(repo, [image]);
        pushed.push(image);
        expect(await pulled(b, repo)).toEqual({ status: 200, ids: pushed, latest: image });
      };
      await pushAndRead('before');
      expect(await terminateListenSessions(hub)).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 5; i++) await pushAndRead(`during-${i}`);
      // the sessions come back by themselves (one per gateway)
      await waitUntil(
        async () => {
          const db = new Client(tokensDatabaseUrl(hub));
          await db.connect();
          try {
            const { rows } = await db.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'dockyard-gateway-changes' AND datname = current_database()`,
            );
            return rows[0].n >= hub.urls.length;
          } finally {
            await db.end();
          }
        },
        { timeoutMs: 30000, intervalMs: 200, what: 'the LISTEN sessions to come back' },
      );
      for (let i = 0; i < 5; i++) await pushAndRead(`after-${i}`);
      for (const url of hub.urls) expect((await http(url, 'GET', '/healthz')).status).toBe(200);
    });
  });
}
