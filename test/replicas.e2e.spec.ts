import { Client } from 'pg';
import { DockerIndexClient, imageIdOf } from './support/docker-index-client';
import { withHubLogs } from './support/hub-process';
import { TestHub, startDistributedHub } from './support/hubs';
import { http } from './support/http';

/**
 * Two gateway replicas and two projector replicas (one consumer group): pushes spread over both
 * gateways, read back at once from the other one; the read models end with exactly the rows the
 * pushes wrote — none lost, none doubled.
 */
describe('replicas (distributed over Kafka)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startDistributedHub({ gateways: 2, projectors: 2, requireConfirmation: false });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('no lost or doubled read-model rows', () =>
    withHubLogs(hub.processes, async () => {
      const [one, two] = hub.urls;
      expect((await http(one, 'POST', '/v1/users/', { body: { username: 'rep_user', password: 'secret1', email: 'r@example.com' } })).status).toBe(201);
      const clients = [new DockerIndexClient(one, { username: 'rep_user', password: 'secret1' }), new DockerIndexClient(two, { username: 'rep_user', password: 'secret1' })];
      const repositories = Array.from({ length: 16 }, (_, i) => `rep_user/repo-${i}`);
      const imagesOf = (repo: string) => [0, 1, 2].map((n) => imageIdOf(`${repo}-${n}`));
      for (let i = 0; i < repositories.length; i += 4) {
        await Promise.all(
          repositories.slice(i, i + 4).map(async (repo, j) => {
            const token = await clients[j % 2].push(repo, imagesOf(repo));
            // read-your-writes: the other replica sees the push at once, and takes its token
            const other = hub.urls[(j + 1) % 2];
            const seen = await http(other, 'GET', `/v1/repositories/${repo}/images`);
            expect((seen.json() as { id: string }[]).map((e) => e.id)).toEqual(imagesOf(repo));
            expect((await http(other, 'PUT', `/v1/repositories/${repo}/auth`, { headers: { Authorization: `Token ${token}` } })).status).toBe(200);
          }),
        );
      }
      const db = new Client(hub.databaseUrl);
      await db.connect();
      try {
        const count = async (sql: string) => (await db.query(sql)).rows[0].n;
        expect(await count(`SELECT count(*)::int AS n FROM read.repositories WHERE namespace = 'rep_user'`)).toBe(16);
        expect(await count('SELECT count(*)::int AS n FROM read.repository_images')).toBe(48);
        expect(await count('SELECT count(*)::int AS n FROM read.tags')).toBe(16);
        expect(await count(`SELECT count(DISTINCT (repository_id, image_id))::int AS n FROM read.repository_images`)).toBe(48);
        // every stream's checkpoint equals the events its service wrote
        const behind = await db.query(
          `SELECT c.stream_id FROM read.consumer_checkpoints c
           LEFT JOIN (SELECT stream_id, max(stream_version) v FROM images.events GROUP BY stream_id
                      UNION ALL SELECT stream_id, max(stream_version) FROM repositories.events GROUP BY stream_id) e
             ON e.stream_id = c.stream_id
           WHERE c.consumer IN ('images', 'repositories') AND (e.v IS NULL OR e.v <> c.stream_version)`,
        );
        expect(behind.rows).toEqual([]);
      } finally {
        await db.end();
      }
    }));
});
