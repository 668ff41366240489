import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DockerIndexClient, imageIdOf } from './support/docker-index-client';
import { TestHub, startDistributedHub } from './support/hubs';
import { basic, http, registerRetrying } from './support/http';
import { PushPullTraffic } from './support/push-pull-traffic';

jest.setTimeout(10 * 60 * 1000);

const run = promisify(execFile);
const USER = { username: 'rebuilder', password: 'secret12' };

interface RebuildReport {
  readModel: string;
  events: number;
  eventsPerSecond: number;
  reconciled: number;
  parked: number;
  lockedMs: number;
  differences?: Record<string, { onlyLive: number; onlyRebuilt: number }>;
}

/**
 * Issue 8: `npm run rebuild -- <read model>` replays the owners' stores into a copy while the hub
 * keeps serving, then swaps it in; the copy is checked equal to the live read model.
 */
describe('rebuilding a read model without downtime (distributed)', () => {
  let hub: TestHub;
  let url: string;
  let db: Client;

  const rebuild = async (model: string, ...flags: string[]): Promise<RebuildReport> => {
    const { stdout } = await run(process.execPath, [resolve(__dirname, '../dist/apps/projector/src/rebuild.main.js'), model, ...flags], {
      env: { ...process.env, ...hub.env, LOG_LEVEL: 'warn' },
      timeout: 300000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  };

  beforeAll(async () => {
    hub = await startDistributedHub({ requireConfirmation: false });
    url = hub.urls[0];
    db = new Client({ connectionString: hub.databaseUrl });
    await db.connect();
    expect(await registerRetrying(url, { ...USER, email: 'rebuild@example.com' })).toBe(201);
    const index = new DockerIndexClient(url, USER);
    for (let n = 0; n < 12; n++) await index.push(`${USER.username}/history-${n}`, [imageIdOf(`history-${n}`)]);
    // Two lives of one name, a deletion, and pulls (counted from the activity topic, not the stores).
    for (const n of [3, 4]) {
      const deleted = await http(url, 'DELETE', `/v1/repositories/${USER.username}/history-${n}/`, {
        headers: { Authorization: basic(USER.username, USER.password) },
      });
      expect(deleted.status).toBe(200);
    }
    await index.push(`${USER.username}/history-3`, [imageIdOf('history-3-second-life')]);
    for (let i = 0; i < 3; i++) expect((await index.getImages(`${USER.username}/history-0`)).status).toBe(200);
    const auth = { Authorization: basic(USER.username, USER.password) };
    expect((await http(url, 'POST', '/v1/organizations/', { body: { name: 'rebuild_org', email: 'org@example.com' }, headers: auth })).status).toBe(201);
    expect((await http(url, 'PUT', '/v1/organizations/rebuild_org/teams/builders', { body: { permission: 'write' }, headers: auth })).status).toBe(204);
  });

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
  });

  const snapshot = async () =>
    (
      await db.query(
        `SELECT r.name, r.download_count, array_agg(i.image_id ORDER BY i.image_id) AS images
         FROM read.repositories r LEFT JOIN read.repository_images i USING (repository_id)
         WHERE r.namespace = $1 GROUP BY r.name, r.download_count ORDER BY r.name`,
        [USER.username],
      )
    ).rows;

  it('rebuilds the repositories while pushes and pulls go on: nothing acknowledged is missing afterwards, no request failed', async () => {
    const traffic = new PushPullTraffic(() => url, USER, 30000);
    traffic.start();
    let report: RebuildReport;
    try {
      await traffic.recovered(Date.now() - 1, 60000);
      report = await rebuild('repositories');
      await traffic.recovered(Date.now(), 60000); // still serving after the swap
    } finally {
      await traffic.stop();
    }

    expect(report.events).toBeGreaterThan(20);
    expect(report.parked).toBe(0);
    const failed = traffic.exchanges.filter((e) => e.status < 200 || e.status >= 300);
    expect(failed).toEqual([]);
    const names = (await snapshot()).map((row) => row.name);
    const missing = traffic.acknowledged.map((n) => traffic.repository(n).split('/')[1]).filter((name) => !names.includes(name));
    expect(missing).toEqual([]);
    console.log(`rebuild under traffic: ${JSON.stringify(report)}; ${traffic.acknowledged.length} pushes and ${traffic.pulls.ok} pulls meanwhile`);
  });

  /** The rows without the pull counts, which the activity of this suite's own pulls moves meanwhile. */
  const structure = async () => (await snapshot()).map(({ name, images }) => ({ name, images }));

  it.each(['repositories', 'users', 'image-metadata', 'organizations'])('the rebuilt %s equal the live ones, row for row, and take their place', async (model) => {
    const before = await structure();
    const report = await rebuild(model, '--verify');
    expect(Object.keys(report.differences ?? {}).length).toBeGreaterThan(0);
    for (const [table, difference] of Object.entries(report.differences!)) {
      expect({ table, ...difference }).toEqual({ table, onlyLive: 0, onlyRebuilt: 0 });
    }
    expect(await structure()).toEqual(before);
    // The swapped-in tables keep the names later migrations and queries rely on.
    const { rows } = await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'read' AND tablename = 'repositories'`);
    expect(rows.map((row) => row.indexname)).toEqual(expect.arrayContaining(['repositories_pkey', 'repositories_by_name']));
    expect((await new DockerIndexClient(url, USER).getImages(`${USER.username}/history-3`)).json()).toEqual([
      expect.objectContaining({ id: imageIdOf('history-3-second-life') }),
    ]);
  });

  it('a deleted repository stays deleted after a rebuild, and its name serves its newest life', async () => {
    expect((await snapshot()).map((row) => row.name)).not.toContain('history-4');
    const pulled = (await snapshot()).find((row) => row.name === 'history-0');
    expect(Number(pulled?.download_count)).toBeGreaterThanOrEqual(3); // counts the events cannot give back are kept
  });
});
