import { PublishedEvent } from '@dockyard/contracts';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { ChainBrokenError, isTransientError, verifyRepair } from './stream-consumer';

/** A real hash-chained stream of `n` events, as its owner would publish them. */
function chain(n: number): PublishedEvent[] {
  const events: PublishedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let v = 1; v <= n; v++) {
    const e: PublishedEvent = {
      eventId: `00000000-0000-4000-8000-${String(v).padStart(12, '0')}`,
      source: 'repositories',
      streamId: 'repository-x',
      streamVersion: v,
      position: String(v),
      type: 'RepositoryUpdated',
      schemaVersion: 1,
      data: { n: v },
      metadata: { correlationId: 'c', actor: 'system:test', occurredAt: '2024-01-01T00:00:00.000Z' },
      prevHash: prev,
      hash: '',
      secretDigest: '',
    };
    e.hash = chainHash(prev, e);
    prev = e.hash;
    events.push(e);
  }
  return events;
}

describe('verifying events read back from their owner to repair a gap', () => {
  const s = chain(5);

  it('accepts the missing versions when they chain from the applied one onto the one that revealed the gap', () => {
    expect(() => verifyRepair(s.slice(1, 4), 2, 4, s[0].hash, s[4])).not.toThrow();
    expect(() => verifyRepair(s.slice(0, 2), 1, 2, GENESIS_HASH, s[2])).not.toThrow();
  });

  it('refuses versions that do not chain onto what was applied', () => {
    expect(() => verifyRepair(s.slice(2, 4), 3, 4, s[0].hash, s[4])).toThrow(ChainBrokenError);
  });

  it('refuses an edited event (its hash no longer matches)', () => {
    const edited = s.slice(1, 4).map((e) => ({ ...e }));
    edited[1] = { ...edited[1], data: { n: 99 } };
    expect(() => verifyRepair(edited, 2, 4, s[0].hash, s[4])).toThrow(/does not match its hash/);
  });

  it('refuses a missing or extra version, and events of another stream', () => {
    expect(() => verifyRepair(s.slice(1, 3), 2, 4, s[0].hash, s[4])).toThrow(/returned versions/);
    expect(() => verifyRepair([s[1], s[3], s[2]], 2, 4, s[0].hash, s[4])).toThrow(/returned versions/);
    expect(() =>
      verifyRepair(
        s.slice(1, 4).map((e) => ({ ...e, streamId: 'other' })),
        2,
        4,
        s[0].hash,
        s[4],
      ),
    ).toThrow(/another stream|other/);
  });

  it('refuses when the event that revealed the gap does not chain onto the last version read back', () => {
    expect(() => verifyRepair(s.slice(1, 3), 2, 3, s[0].hash, s[4])).toThrow(
      /does not chain onto the versions read back/,
    );
  });

  it('checks the link to the applied event only when its hash is known', () => {
    expect(() => verifyRepair(s.slice(1, 4), 2, 4, null, s[4])).not.toThrow();
  });
});

describe('which failures retrying fixes', () => {
  it('connection failures and an unreachable owner are transient', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '08006', '53300', '40P01', 'unavailable']) {
      expect(isTransientError(Object.assign(new Error('x'), { code }))).toBe(true);
    }
    expect(isTransientError(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('constraint violations, bugs and broken chains are not', () => {
    for (const code of ['23505', '23502', '42703', 'invalid', undefined]) {
      expect(isTransientError(Object.assign(new Error('x'), { code }))).toBe(false);
    }
    expect(isTransientError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
    expect(isTransientError(new ChainBrokenError('x'))).toBe(false);
  });
});
