import { canonicalJson } from './canonical-json';
import { GENESIS_HASH, chainHash, verifyChain } from './hash-chain';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});

describe('verifyChain', () => {
  const link = (prevHash: string, streamVersion: number, data: unknown) => {
    const fields = { eventId: `e${streamVersion}`, streamId: 's', streamVersion, type: 'T', schemaVersion: 1, data, metadata: {}, secretDigest: '' };
    return { ...fields, prevHash, hash: chainHash(prevHash, fields) };
  };
  const chain = () => {
    const one = link(GENESIS_HASH, 1, { n: 1 });
    const two = link(one.hash, 2, { n: 2 });
    return [one, two, link(two.hash, 3, { n: 3 })];
  };

  it('accepts an untouched chain', () => expect(verifyChain(chain())).toEqual({ valid: true }));
  it('finds an edited event', () => {
    const events = chain();
    events[1] = { ...events[1], data: { n: 20 } };
    expect(verifyChain(events)).toEqual({ valid: false, brokenAtVersion: 2 });
  });
  it('finds a removed event', () => {
    const events = chain();
    expect(verifyChain([events[0], events[2]])).toEqual({ valid: false, brokenAtVersion: 3 });
  });
  it('finds a recomputed hash that does not link to its predecessor', () => {
    const events = chain();
    events[2] = link('f'.repeat(64), 3, { n: 3 });
    expect(verifyChain(events)).toEqual({ valid: false, brokenAtVersion: 3 });
  });
});
