import { Pool } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';
import { createTestDatabase } from '@dockyard/testing';
import { runMigrations } from './event-store.migrations';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { StreamConsumer } from './stream-consumer';

const SCHEMA = 'passover';

/** A stream's events, hash-chained as their owner publishes them; `types[i]` is version i + 1's type. */
function chained(streamId: string, types: string[]): PublishedEvent[] {
  let prevHash = GENESIS_HASH;
  return types.map((type, index) => {
    const fields = {
      eventId: `${streamId}-${index + 1}`,
      streamId,
      streamVersion: index + 1,
      type,
      schemaVersion: 1,
      data: { n: index + 1 },
      metadata: { correlationId: 'c', actor: 'system:test', occurredAt: new Date(0).toISOString() },
      secretDigest: '',
    };
    const hash = chainHash(prevHash, fields);
    const event: PublishedEvent = { ...fields, source: 'repositories', position: String(index + 1), hash, prevHash };
    prevHash = hash;
    return event;
  });
}

/**
 * A consumer that passes over the events its effect ignores (one statement, no transaction) still
 * keeps every rule of the usual path: order, no duplicates, gaps and parked streams stop it, and a
 * broken chain is caught. Real PostgreSQL.
 */
describe('StreamConsumer passing over events its effect ignores', () => {
  let pool: Pool;
  let applied: string[];
  let failing: Set<string>;
  let consumer: StreamConsumer;

  const checkpoint = async (streamId: string): Promise<number | null> =>
    (
      await pool.query(`SELECT stream_version FROM ${SCHEMA}.consumer_checkpoints WHERE consumer = 'revocations' AND stream_id = $1`, [
        streamId,
      ])
    ).rows[0]?.stream_version ?? null;

  beforeAll(async () => {
    const url = await createTestDatabase('passover');
    await runMigrations(url, SCHEMA);
    pool = new Pool({ connectionString: url, max: 12 });
  });
  afterAll(() => pool.end());

  beforeEach(() => {
    applied = [];
    failing = new Set();
    consumer = new StreamConsumer({
      pool,
      schema: SCHEMA,
      consumer: 'revocations',
      maxAttempts: 1,
      effect: async (_client, event) => {
        if (failing.has(event.eventId)) throw new Error('poison');
        applied.push(event.eventId);
      },
      passesOver: (event) => event.type === 'Ignored',
    });
  });

  it('moves the checkpoint past ignored events and applies the others, in order; a redelivery is a duplicate', async () => {
    const events = chained('s1', ['Ignored', 'Acted', 'Ignored', 'Ignored']);
    for (const event of events) expect(await consumer.handle(event)).toBe('applied');
    expect(applied).toEqual(['s1-2']);
    expect(await checkpoint('s1')).toBe(4);
    for (const event of events) expect(await consumer.handle(event)).toBe('duplicate');
    expect(applied).toEqual(['s1-2']);
  });

  it('an ignored event after a gap does not move the checkpoint: the gap is handled as ever (parked without an owner to ask)', async () => {
    const events = chained('s2', ['Ignored', 'Ignored', 'Ignored']);
    expect(await consumer.handle(events[0])).toBe('applied');
    expect(await consumer.handle(events[2])).toBe('parked');
    expect(await checkpoint('s2')).toBe(1);
  });

  it('an ignored event behind a parked one is held, not passed over', async () => {
    const events = chained('s3', ['Acted', 'Ignored']);
    failing.add('s3-1');
    expect(await consumer.handle(events[0])).toBe('parked');
    expect(await consumer.handle(events[1])).toBe('held');
    expect(await checkpoint('s3')).toBeNull();
    // Once the parked one applies, the retry takes the held one through in order.
    failing.clear();
    expect((await consumer.retryParked({ streamId: 's3' })).applied).toBe(2);
    expect((await consumer.parked()).filter((p) => p.streamId === 's3')).toEqual([]);
    expect(await checkpoint('s3')).toBe(2);
  });

  it('an ignored event that does not chain onto the applied one is caught and parked', async () => {
    const [first, second] = chained('s4', ['Ignored', 'Ignored']);
    expect(await consumer.handle(first)).toBe('applied');
    const forged = { ...second, prevHash: 'f'.repeat(64) };
    expect(await consumer.handle(forged)).toBe('parked');
    expect(await checkpoint('s4')).toBe(1);
    // The genuine version arriving now is its stream's next, but its version is parked: it waits.
    expect(await consumer.handle(second)).toBe('held');
    expect(await checkpoint('s4')).toBe(1);
    // A first version must chain onto the genesis hash too.
    const [orphan] = chained('s5', ['Ignored']);
    expect(await consumer.handle({ ...orphan, prevHash: 'f'.repeat(64) })).toBe('parked');
    expect(await checkpoint('s5')).toBeNull();
  });

  it('a stream id with quotes and backslashes is applied and passed over like any other (it travels as a literal)', async () => {
    const streamId = `s7'); DELETE FROM ${SCHEMA}.consumer_checkpoints; --\\"`;
    const events = chained(streamId, ['Acted', 'Ignored', 'Acted']);
    for (const event of events) expect(await consumer.handle(event)).toBe('applied');
    expect(applied).toEqual([`${streamId}-1`, `${streamId}-3`]);
    expect(await checkpoint(streamId)).toBe(3);
    expect(await checkpoint('s1')).toBe(4);
  });

  it('a consumer that announces its changes cannot pass over events (it would announce nothing)', () => {
    expect(
      () => new StreamConsumer({ pool, schema: SCHEMA, consumer: 'x', effect: async () => undefined, notifyChannel: 'c', passesOver: () => true }),
    ).toThrow(/passes over nothing/);
  });

  it('the same ignored event delivered ten times at once moves the checkpoint once', async () => {
    const [first, second] = chained('s6', ['Ignored', 'Ignored']);
    expect(await consumer.handle(first)).toBe('applied');
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => consumer.handle(second)));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    expect(await checkpoint('s6')).toBe(2);
  });
});
