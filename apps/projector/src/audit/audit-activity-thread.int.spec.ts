import { AddressInfo, createServer } from 'node:net';
import { Pool } from 'pg';
import { RepositoryCountActivity } from '@dockyard/contracts';
import { createTestDatabase } from '../../../../libs/testing/src';
import { batchOf, expectFeedHolds, migrateAuditTables, pullOf } from './audit.testing';
import { AuditActivityThread } from './audit-activity-thread';
import { AuditInbox } from './audit-inbox';

const REPOSITORY_ID = '22222222-2222-4222-8222-222222222222';

const pull = (n: number): RepositoryCountActivity => pullOf(n, REPOSITORY_ID, 'anonymous');

describe('the audit activity thread: pulls into the feed on a thread of their own (real PostgreSQL)', () => {
  let url: string;
  let pool: Pool;
  const logger = { error: jest.fn(), warn: jest.fn() };
  const threads: AuditActivityThread[] = [];
  const thread = () => {
    const made = new AuditActivityThread({ databaseUrl: url, poolSize: 2, pollMs: 200 }, logger);
    threads.push(made);
    made.start();
    return made;
  };

  beforeAll(async () => {
    url = await createTestDatabase('auditthread');
    await migrateAuditTables(url);
    pool = new Pool({ connectionString: url, max: 4 });
    await pool.query(`INSERT INTO read.audit_repositories (repository_id, repository) VALUES ($1, 'bob/app')`, [REPOSITORY_ID]);
  });
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.close()));
  });
  afterAll(async () => {
    await pool.end();
  });

  const pulled = async (pulls: RepositoryCountActivity[]) =>
    (await pool.query(`SELECT activity_id FROM read.audit_entries WHERE activity_id = ANY($1) ORDER BY seq`, [pulls.map((p) => p.activityId)])).rows.map(
      (row) => row.activity_id,
    );

  const feedHolds = () => expectFeedHolds(pool);

  it('puts every pull of the messages it receives in the feed once, chained, linked under the repository', async () => {
    const audit = thread();
    const messages = Array.from({ length: 12 }, (_, m) => batchOf(m, Array.from({ length: 25 }, (_, i) => pull(1000 + m * 100 + i))));
    // Received at once, as a busy hub delivers them: most wait in the inbox for the thread's writer.
    await Promise.all(messages.map((message) => audit.receive(message)));
    await audit.receive(messages[3]); // a redelivery
    await audit.drained();
    const pulls = messages.flatMap((m) => m.activities as RepositoryCountActivity[]);
    expect((await pulled(pulls)).sort()).toEqual(pulls.map((p) => p.activityId).sort());
    expect(Number((await pool.query(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).rows[0].n)).toBe(0);
    expect(
      Number((await pool.query(`SELECT count(*) AS n FROM read.audit_repository_entries WHERE repository = 'bob/app'`)).rows[0].n),
    ).toBeGreaterThanOrEqual(pulls.length);
    await feedHolds();
  });

  it('leaves the activity messages to the thread: the main thread’s writer takes only TokenIssued rows', async () => {
    const mainWriter = new AuditInbox(pool, async () => undefined, { takes: { events: true, activity: false } });
    await pool.query(`INSERT INTO read.audit_activity_inbox (message_id, activities) VALUES ('left-1', $1)`, [JSON.stringify([pull(5000)])]);
    mainWriter.start();
    await mainWriter.drained();
    await mainWriter.close();
    expect(await pulled([pull(5000)])).toEqual([]);
    const audit = thread();
    await audit.drained();
    expect(await pulled([pull(5000)])).toEqual([pull(5000).activityId]);
  });

  it('a thread that dies refuses what it had not answered; the next message starts another, and nothing is in the feed twice', async () => {
    const audit = thread();
    const first = batchOf(900, Array.from({ length: 40 }, (_, i) => pull(9000 + i)));
    await audit.receive(first);
    const worker = (audit as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const second = batchOf(901, Array.from({ length: 40 }, (_, i) => pull(9100 + i)));
    const answered = audit.receive(second);
    await worker.terminate();
    // Answered before the end, or refused so that the bus delivers it again: never lost silently.
    const outcome = await answered.then(() => 'answered', () => 'refused');
    await audit.receive(first); // delivered again
    if (outcome === 'refused') await audit.receive(second);
    await audit.drained();
    const pulls = [...(first.activities as RepositoryCountActivity[]), ...(second.activities as RepositoryCountActivity[])];
    const entries = await pulled(pulls);
    expect(entries.sort()).toEqual(pulls.map((p) => p.activityId).sort());
    await feedHolds();
  });

  it('a message that cannot be put in the feed is dropped with an error; the thread goes on with the next', async () => {
    const audit = thread();
    logger.error.mockClear();
    // A pull whose time is no date: its entry cannot be made (a gateway's bug, or a forged message).
    const poison = batchOf(960, [{ ...pull(9600), at: 'not a date' }, pull(9601)]);
    await audit.receive(poison);
    const good = batchOf(961, [pull(9610)]);
    await audit.receive(good);
    await audit.drained();
    expect(await pulled([pull(9610)])).toEqual([pull(9610).activityId]);
    expect(await pulled([pull(9600), pull(9601)])).toEqual([]);
    expect(Number((await pool.query(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).rows[0].n)).toBe(0);
    expect(logger.error).toHaveBeenCalled();
    await feedHolds();
  });

  it('a stop does not wait for ever on a database that accepts and never answers', async () => {
    // A server that takes the connection and says nothing: the thread's pass waits on it for good.
    const silent = createServer(() => undefined);
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    try {
      const port = (silent.address() as AddressInfo).port;
      const stuck = new AuditActivityThread({ databaseUrl: `postgres://nobody:nothing@127.0.0.1:${port}/read`, poolSize: 1, pollMs: 100 }, logger);
      stuck.start();
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await stuck.close();
      expect(Date.now() - started).toBeLessThan(8000);
      await expect(stuck.receive(batchOf(970, [pull(9700)]))).rejects.toThrow(/closed/);
    } finally {
      silent.close();
    }
  });

  it('after close it takes nothing more', async () => {
    const audit = thread();
    await audit.close();
    await expect(audit.receive(batchOf(950, [pull(9500)]))).rejects.toThrow(/closed/);
  });
});
