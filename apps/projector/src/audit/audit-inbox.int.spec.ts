import { Pool } from 'pg';
import { PROJECTIONS, PublishedEvent, RepositoryCountActivity, TOKENS_EVENTS, tokenStreamId } from '@dockyard/contracts';
import { GENESIS_HASH } from '@dockyard/eventstore';
import { createTestDatabase } from '../../../../libs/testing/src';
import { batchOf, expectFeedHolds, migrateAuditTables, pullOf } from './audit.testing';
import { AuditFeedTurn } from './audit-feed-turn';
import { AuditInbox } from './audit-inbox';
import { MessageInboxTable } from '../message-inbox';

const REPOSITORY_ID = '11111111-1111-4111-8111-111111111111';

/** A pull's TokenIssued as the tokens service publishes it: version 1 of the token's own stream. */
const tokenIssued = (n: number, occurredAt = new Date(1_800_000_000_000 + n).toISOString()): PublishedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  source: 'tokens',
  streamId: tokenStreamId(`tok-${n}`),
  streamVersion: 1,
  position: String(n),
  type: TOKENS_EVENTS.TokenIssued,
  schemaVersion: 1,
  data: { tokenId: `tok-${n}`, repository: 'alice/app', repositoryId: REPOSITORY_ID, access: 'read', username: null, expiresAt: '2027-01-01T00:00:00.000Z' },
  metadata: { correlationId: `pull-${n}`, actor: 'anonymous', occurredAt },
  hash: `h${n}`.padEnd(64, '0'),
  prevHash: GENESIS_HASH,
  secretDigest: '',
});

/** A pull as a gateway records it. */
const pull = (n: number, at?: string): RepositoryCountActivity => pullOf(n, REPOSITORY_ID, 'alice', at);

describe('the audit inbox: a pull’s TokenIssued into the feed in batches (real PostgreSQL)', () => {
  let pool: Pool;
  const fallback = jest.fn(async (_event: PublishedEvent) => undefined);
  const inbox = (batchSize?: number) => new AuditInbox(pool, fallback, { batchSize });

  beforeAll(async () => {
    const url = await createTestDatabase('auditinbox');
    await migrateAuditTables(url);
    pool = new Pool({ connectionString: url, max: 8 });
    // The repository is known by name, as its RepositoryCreated would have made it.
    await pool.query(`INSERT INTO read.audit_repositories (repository_id, repository) VALUES ($1, 'alice/app')`, [REPOSITORY_ID]);
  });
  afterAll(async () => {
    await pool.end();
  });
  beforeEach(() => fallback.mockClear());

  const count = async (sql: string) => Number((await pool.query(sql)).rows[0].n);
  const pullEntriesOf = async (pulls: RepositoryCountActivity[]) =>
    (await pool.query(`SELECT activity_id, type, xmin::text AS tx FROM read.audit_entries WHERE activity_id = ANY($1) ORDER BY seq`, [pulls.map((p) => p.activityId)])).rows;
  const entriesOf = async (streams: string[]) =>
    (await pool.query(`SELECT seq::text AS position, stream, xmin::text AS tx FROM read.audit_entries WHERE stream = ANY($1) ORDER BY seq`, [streams])).rows;

  const feedHolds = () => expectFeedHolds(pool);

  it('received events reach the feed many to a transaction: consecutive positions, chained, linked, checkpointed, the inbox emptied', async () => {
    const events = Array.from({ length: 120 }, (_, i) => tokenIssued(i + 1));
    // Received before the writer runs (as on a busy hub): they are waiting in the inbox together.
    await pool.query(
      `INSERT INTO read.audit_inbox (stream_id, stream_version, event) SELECT s, 1, e FROM unnest($1::text[], $2::jsonb[]) AS r(s, e)`,
      [events.map((e) => e.streamId), events.map((e) => JSON.stringify(e))],
    );
    const writer = inbox(50);
    writer.start();
    await writer.drained();
    await writer.close();

    const entries = await entriesOf(events.map((e) => e.streamId));
    expect(entries).toHaveLength(120);
    // Three batches of at most 50, each in one transaction.
    expect(new Set(entries.map((e) => e.tx)).size).toBe(3);
    await feedHolds();
    expect(await count(`SELECT count(*) AS n FROM read.audit_repository_entries WHERE repository = 'alice/app'`)).toBe(120);
    expect(await count(`SELECT count(*) AS n FROM read.consumer_checkpoints WHERE consumer = '${PROJECTIONS.audit}' AND stream_id LIKE 'token-tok-%'`)).toBe(120);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
    expect(fallback).not.toHaveBeenCalled();
  });

  it('a pass ends with a batch shorter than the batch size: no transaction only to find the inbox empty', async () => {
    const events = Array.from({ length: 70 }, (_, i) => tokenIssued(5000 + i));
    await pool.query(
      `INSERT INTO read.audit_inbox (stream_id, stream_version, event) SELECT s, 1, e FROM unnest($1::text[], $2::jsonb[]) AS r(s, e)`,
      [events.map((e) => e.streamId), events.map((e) => JSON.stringify(e))],
    );
    // Each batch is one pooled client taken for a transaction (pool.query takes its own with a callback).
    const connect = pool.connect.bind(pool);
    let transactions = 0;
    const counting = jest.spyOn(pool, 'connect').mockImplementation(((...args: unknown[]) => {
      if (args.length === 0) transactions++;
      return (connect as (...a: unknown[]) => unknown)(...args);
    }) as Pool['connect']);
    try {
      const writer = inbox(50);
      await writer.drained();
      await writer.close();
    } finally {
      counting.mockRestore();
    }
    expect(await entriesOf(events.map((e) => e.streamId))).toHaveLength(70);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
    // 50, then 20: the short one ends the pass.
    expect(transactions).toBe(2);
    await feedHolds();
  });

  it('a replay: an event received again, after it was applied and twice at once, is one entry', async () => {
    const writer = inbox();
    writer.start();
    const again = [tokenIssued(1), tokenIssued(2), tokenIssued(500), tokenIssued(500)];
    await Promise.all(again.map((event) => writer.receive(event)));
    await writer.drained();
    await writer.close();
    const entries = await entriesOf([tokenStreamId('tok-1'), tokenStreamId('tok-2'), tokenStreamId('tok-500')]);
    expect(entries.map((e) => e.stream)).toEqual([tokenStreamId('tok-1'), tokenStreamId('tok-2'), tokenStreamId('tok-500')]);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
    // Skipped as applied, not refused by the feed's unique (stream, version) and sent the other way.
    expect(fallback).not.toHaveBeenCalled();
    await feedHolds();
  });

  it('a race: two replicas’ writers on the same rows put each in the feed once', async () => {
    const events = Array.from({ length: 200 }, (_, i) => tokenIssued(1000 + i));
    const [one, two] = [inbox(20), inbox(20)];
    await Promise.all(events.map((event, i) => (i % 2 ? one : two).receive(event)));
    await Promise.all([one.drained(), two.drained()]);
    await Promise.all([one.close(), two.close()]);
    expect(await entriesOf(events.map((e) => e.streamId))).toHaveLength(200);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
    expect(fallback).not.toHaveBeenCalled();
    await feedHolds();
  });

  it('a row that cannot be applied goes alone to the fallback (retried, then parked there); the rest of its batch reaches the feed', async () => {
    const broken = tokenIssued(2000, 'not a time');
    const events = [tokenIssued(2001), broken, tokenIssued(2002)];
    const writer = inbox();
    for (const event of events) await writer.receive(event);
    await writer.drained();
    await writer.close();
    expect(fallback.mock.calls.map(([event]) => event.streamId)).toEqual([broken.streamId]);
    expect((await entriesOf(events.map((e) => e.streamId))).map((e) => e.stream)).toEqual([tokenStreamId('tok-2001'), tokenStreamId('tok-2002')]);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
    await feedHolds();
  });

  it('in its process’s turn: a batch waits for the feed write in flight, and a row’s fallback takes the turn after the batch, without a deadlock', async () => {
    const turn = new AuditFeedTurn();
    const writer = new AuditInbox(pool, (event) => turn.take(() => fallback(event)), { turn });
    let release!: () => void;
    const inFlight = turn.take(() => new Promise<void>((done) => (release = done)));
    const waiting = tokenIssued(4000);
    await writer.receive(waiting);
    await new Promise((r) => setTimeout(r, 300));
    expect(await entriesOf([waiting.streamId])).toHaveLength(0);
    release();
    await inFlight;
    const broken = tokenIssued(4001, 'not a time');
    await writer.receive(broken);
    await writer.drained();
    await writer.close();
    expect(await entriesOf([waiting.streamId])).toHaveLength(1);
    expect(fallback.mock.calls.map(([event]) => event.streamId)).toEqual([broken.streamId]);
    expect(await count(`SELECT count(*) AS n FROM read.audit_inbox`)).toBe(0);
  });

  it('rows a crashed writer left are put in the feed by the next one’s start', async () => {
    const left = tokenIssued(3000);
    await pool.query(`INSERT INTO read.audit_inbox (stream_id, stream_version, event) VALUES ($1, 1, $2)`, [left.streamId, JSON.stringify(left)]);
    const writer = inbox();
    writer.start();
    await writer.drained();
    await writer.close();
    expect(await entriesOf([left.streamId])).toHaveLength(1);
  });
  it('a kept activity message comes back with its keys in the order the gateway wrote them (hashed in one pass)', async () => {
    // The gateway writes a pull's keys in canonical order; jsonb would give them back shortest first.
    const written = { activityId: 'order-1', actor: 'anonymous', at: '2027-01-01T00:00:00.000Z', images: ['a'.repeat(64)], kind: 'pull', repositoryId: REPOSITORY_ID, requestId: 'req-1', sourceIp: '127.0.0.1', userAgent: 'docker/1.13' };
    const table = new MessageInboxTable<(typeof written)[]>(pool, 'read.audit_activity_inbox', 'activities');
    await table.keep('order-message-1', [written]);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const [kept] = await table.take(client, 1, 'order-message-1');
      expect(Object.keys(kept.payload[0])).toEqual(Object.keys(written));
      expect(kept.payload[0]).toEqual(written);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    await table.remove(pool, ['order-message-1']);
  });

  it('activity messages from many gateways reach the feed many to a transaction, not one transaction each', async () => {
    // 30 gateway replicas' flushes, received while the feed is busy (the writer has not run yet).
    const messages = Array.from({ length: 30 }, (_, g) => batchOf(g, Array.from({ length: 4 }, (_, i) => pull(10_000 + g * 10 + i))));
    let release!: () => void;
    const turn = new AuditFeedTurn();
    const held = turn.take(() => new Promise<void>((done) => (release = done)));
    const waiting = new AuditInbox(pool, fallback, { turn, activityBatchSize: 50 });
    // The first is folded at once and waits for the feed; the 29 others are kept meanwhile.
    const received = Promise.all(messages.map((message) => waiting.receiveActivity(message)));
    for (let i = 0; i < 100 && (await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)) < 29; i++) await new Promise((r) => setTimeout(r, 20));
    release();
    await held;
    await received;
    await waiting.drained();
    await waiting.close();
    const pulls = messages.flatMap((m) => m.activities as RepositoryCountActivity[]);
    const entries = await pullEntriesOf(pulls);
    // Messages received at once are taken in the order their rows were written.
    expect(entries.map((e) => e.activity_id).sort()).toEqual(pulls.map((p) => p.activityId).sort());
    expect(new Set(entries.map((e) => e.type))).toEqual(new Set(['RepositoryPulled']));
    // The one folded at once, then the 29 that waited for it: two transactions, not 30.
    expect(new Set(entries.map((e) => e.tx)).size).toBe(2);
    expect(await count(`SELECT count(*) AS n FROM read.audit_repository_entries e JOIN read.audit_entries a USING (seq)
      WHERE e.repository = 'alice/app' AND a.activity_id LIKE '00000000-0000-4000-9000-%'`)).toBeGreaterThanOrEqual(120);
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
    await feedHolds();
  });

  it('TokenIssued events and activity messages waiting together share one feed transaction', async () => {
    const events = [tokenIssued(6001), tokenIssued(6002)];
    const message = batchOf(6000, [pull(6001), pull(6002)]);
    const turn = new AuditFeedTurn();
    let release!: () => void;
    const held = turn.take(() => new Promise<void>((done) => (release = done)));
    const waiting = new AuditInbox(pool, fallback, { turn });
    // The TokenIssued rows woke the writer, which waits for the feed: the message waits with them.
    for (const event of events) await waiting.receive(event);
    await waiting.receiveActivity(message);
    release();
    await held;
    await waiting.drained();
    await waiting.close();
    const tokens = await entriesOf(events.map((e) => e.streamId));
    const pulls = await pullEntriesOf(message.activities as RepositoryCountActivity[]);
    expect(tokens).toHaveLength(2);
    expect(pulls).toHaveLength(2);
    expect(new Set([...tokens, ...pulls].map((e) => e.tx)).size).toBe(1);
    await feedHolds();
  });

  it('a replayed activity message, and a pull in two messages, are one entry each', async () => {
    const first = batchOf(7000, [pull(7001), pull(7002)]);
    // At least once: the same message again while its row waits, and again after it is in the feed;
    // and a message that carries a pull the feed already holds.
    const overlapping = batchOf(7001, [pull(7002), pull(7003)]);
    const writer = inbox();
    await Promise.all([writer.receiveActivity(first), writer.receiveActivity(first)]);
    await writer.drained();
    await writer.receiveActivity(first);
    await writer.receiveActivity(overlapping);
    await writer.drained();
    await writer.close();
    const entries = await pullEntriesOf([pull(7001), pull(7002), pull(7003)]);
    expect(entries.map((e) => e.activity_id)).toEqual([pull(7001), pull(7002), pull(7003)].map((p) => p.activityId));
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
    await feedHolds();
  });

  it('a race: two replicas’ writers on the same activity messages put each pull in the feed once', async () => {
    const messages = Array.from({ length: 40 }, (_, g) => batchOf(8000 + g, [pull(80_000 + g * 2), pull(80_000 + g * 2 + 1)]));
    const [one, two] = [new AuditInbox(pool, fallback, { activityBatchSize: 3 }), new AuditInbox(pool, fallback, { activityBatchSize: 3 })];
    await Promise.all(messages.map((message, i) => (i % 2 ? one : two).receiveActivity(message)));
    await Promise.all([one.drained(), two.drained()]);
    await Promise.all([one.close(), two.close()]);
    const pulls = messages.flatMap((m) => m.activities as RepositoryCountActivity[]);
    expect(await pullEntriesOf(pulls)).toHaveLength(80);
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
    await feedHolds();
  });

  it('an activity message that cannot be put in the feed is dropped alone; the rest of its batch reaches the feed', async () => {
    const good = [batchOf(9000, [pull(9001)]), batchOf(9002, [pull(9003)])];
    const broken = batchOf(9001, [pull(9002, 'not a time')]);
    const logger = { error: jest.fn() };
    const writer = new AuditInbox(pool, fallback, { logger });
    for (const message of [good[0], broken, good[1]]) await writer.receiveActivity(message);
    await writer.drained();
    await writer.close();
    expect((await pullEntriesOf([pull(9001), pull(9002), pull(9003)])).map((e) => e.activity_id)).toEqual([pull(9001).activityId, pull(9003).activityId]);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ messageId: broken.activityId }), expect.stringContaining('dropped'));
    expect(fallback).not.toHaveBeenCalled();
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
    await feedHolds();
  });

  it('a message of image fetches only keeps nothing in the inbox (fetches are not audited)', async () => {
    const writer = inbox();
    await writer.receiveActivity({
      activityId: '00000000-0000-4000-b000-000000000001',
      repositoryId: null,
      kind: 'image-fetched',
      username: 'alice',
      namespace: 'alice',
      imageId: 'a'.repeat(64),
      at: new Date().toISOString(),
    });
    await writer.close();
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
  });
  it('a lone activity message on a quiet writer goes into the feed at once, without an inbox row', async () => {
    const message = batchOf(9500, [pull(9501), pull(9502)]);
    const writer = inbox();
    const query = jest.spyOn(pool, 'query');
    try {
      await writer.receiveActivity(message);
    } finally {
      query.mockRestore();
    }
    await writer.close();
    // In the feed when the delivery resolves: nothing waits for a pass.
    expect((await pullEntriesOf(message.activities as RepositoryCountActivity[])).map((e) => e.activity_id)).toEqual([pull(9501).activityId, pull(9502).activityId]);
    expect(query.mock.calls.some(([sql]) => String(sql).includes('audit_activity_inbox'))).toBe(false);
    await feedHolds();
  });

  it('two replicas folding the same message at once: one entry per pull, the other kept and skipped', async () => {
    const message = batchOf(9600, [pull(9601), pull(9602)]);
    const [one, two] = [inbox(), inbox()];
    await Promise.all([one.receiveActivity(message), two.receiveActivity(message)]);
    await Promise.all([one.drained(), two.drained()]);
    await Promise.all([one.close(), two.close()]);
    expect((await pullEntriesOf(message.activities as RepositoryCountActivity[])).map((e) => e.activity_id)).toEqual([pull(9601).activityId, pull(9602).activityId]);
    expect(await count(`SELECT count(*) AS n FROM read.audit_activity_inbox`)).toBe(0);
    await feedHolds();
  });
});
