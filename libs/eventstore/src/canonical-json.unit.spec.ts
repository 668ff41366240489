import { canonicalJson } from './canonical-json';

/** What a jsonb column holds for `value`, as pg writes it, read back and canonicalised. */
const stored = (value: unknown): string => canonicalJson(JSON.parse(JSON.stringify(value)));

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined properties', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[1,{"e":1,"f":2}]},"b":1}');
  });

  it.each([
    ['a string with quotes and unicode', 'é"\\\n'],
    ['an integer', 42],
    ['a negative float', -1.5],
    ['true', true],
    ['null', null],
    ['an empty object', {}],
    ['an empty array', []],
    ['a null-prototype object', Object.assign(Object.create(null), { b: 2, a: 1 })],
  ])('encodes %s exactly as it is stored', (_name, value) => {
    expect(canonicalJson(value)).toBe(stored(value));
  });

  it('encodes a Date as its ISO string, as the store does', () => {
    const value = { at: new Date('2026-11-25T10:00:00.000Z') };
    expect(canonicalJson(value)).toBe('{"at":"2026-11-25T10:00:00.000Z"}');
    expect(canonicalJson(value)).toBe(stored(value));
  });

  it('encodes a Buffer through its toJSON, as the store does', () => {
    const value = { bytes: Buffer.from([1, 2]) };
    expect(canonicalJson(value)).toBe(stored(value));
  });

  it('encodes any value with toJSON through it', () => {
    const value = { id: { toJSON: () => 'custom' } };
    expect(canonicalJson(value)).toBe('{"id":"custom"}');
    expect(canonicalJson(value)).toBe(stored(value));
  });

  it.each([
    ['NaN', { n: NaN }, '$.n'],
    ['Infinity', { n: Infinity }, '$.n'],
    ['-Infinity', [-Infinity], '$[0]'],
    ['a BigInt', { n: BigInt(1) }, '$.n'],
    ['a function', { f: () => 1 }, '$.f'],
    ['a symbol', { s: Symbol('x') }, '$.s'],
    ['undefined in an array', { list: [1, undefined] }, '$.list[1]'],
    ['a Map', { m: new Map([['a', 1]]) }, '$.m'],
    ['a Set', { s: new Set([1]) }, '$.s'],
    ['a class instance', { c: new (class Thing { x = 1 })() }, '$.c'],
    ['undefined at the top', undefined, '$'],
  ])('refuses %s (JSON would store something else), naming where', (_name, value, path) => {
    expect(() => canonicalJson(value)).toThrow(TypeError);
    expect(() => canonicalJson(value)).toThrow(path);
  });
});

describe('canonicalJson on plain data (its fast path)', () => {
  // A reference with no fast path: keys sorted by a comparator, undefined properties dropped, through JSON.stringify.
  const reference = (value: unknown): string =>
    JSON.stringify(value, (_key, v) =>
      v && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );

  it('matches the reference on nested data with unicode keys, dates and arrays of objects', () => {
    const value = {
      'é': 1,
      Z: [{ b: null, a: [true, false, -0, 1.25e21] }, 'x'],
      a: { at: new Date('2026-11-26T04:00:00.000Z'), u: undefined, '\u{1F600}': 'emoji', '\uFF21': 'fullwidth' },
    };
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('orders integer-like keys as strings, not as JavaScript enumerates them', () => {
    expect(canonicalJson({ '9': 'b', '10': 'a', x: 1 })).toBe('{"10":"a","9":"b","x":1}');
  });

  it('still names where a value deep in plain data is not JSON', () => {
    expect(() => canonicalJson({ a: [{ b: { c: NaN } }] })).toThrow('$.a[0].b.c');
    expect(() => canonicalJson({ a: [{ when: new Date('2026-11-26'), bad: new Map() }] })).toThrow('$.a[0].bad');
  });
});

describe('canonicalJson on data already in canonical order (one JSON.stringify)', () => {
  /** The same data, every object's keys in reverse order: never canonical, so it takes the long way. */
  const reversed = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(reversed);
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
    }
    return value;
  };

  it('gives what the long way gives for an audit entry built in key order', () => {
    const entry = {
      actor: 'user:alice', cursor: '42', data: { images: ['a'.repeat(64)], repositoryId: 'r-1' }, hash: 'h', prev_hash: null,
      repository_id: 'r-1', request_id: 'req-1', service: 'activity', source_ip: '127.0.0.1', stream: null,
      time: '2026-11-26T16:00:00.000Z', type: 'RepositoryPulled', user_agent: 'docker/1.13', version: null,
    };
    expect(canonicalJson(entry)).toBe(JSON.stringify(entry));
    expect(canonicalJson(entry)).toBe(canonicalJson(reversed(entry)));
  });

  it('agrees with the long way on random data, whichever order its keys were built in', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const keys = ['a', 'b', 'B', 'é', 'aa', '_', '10', '9', 'z', '\u{1F600}'];
    const build = (depth: number): unknown => {
      const pick = random();
      if (depth > 3 || pick < 0.3) return [null, true, 'x"\\', 1.5, -0, new Date(0)][Math.floor(random() * 6)];
      if (pick < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => build(depth + 1));
      const chosen = keys.filter(() => random() < 0.4);
      const sorted = random() < 0.5 ? [...chosen].sort() : chosen;
      return Object.fromEntries(sorted.map((k) => [k, random() < 0.1 ? undefined : build(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const value = build(0);
      expect(canonicalJson(value)).toBe(canonicalJson(reversed(value)));
      expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    }
  });

  it('still refuses what JSON would change when the keys are in order', () => {
    expect(() => canonicalJson({ a: 1, b: [1, undefined] })).toThrow('$.b[1]');
    expect(() => canonicalJson({ a: NaN })).toThrow('$.a');
    expect(() => canonicalJson({ a: () => 1 })).toThrow('$.a');
  });

  it('sorts integer-like keys as strings even when the object was built in that order', () => {
    // JavaScript enumerates {"10","9"} as 9, 10: not canonical order, so not JSON.stringify's answer.
    const value = Object.fromEntries([['10', 'a'], ['9', 'b']]);
    expect(canonicalJson(value)).toBe('{"10":"a","9":"b"}');
  });
});

describe('canonicalJson and toJSON on data in canonical order', () => {
  it('sorts what an array or an object in order returns from its toJSON', () => {
    const list = Object.assign([1, 2], { toJSON: () => ({ b: 1, a: 2 }) });
    expect(canonicalJson({ list })).toBe('{"list":{"a":2,"b":1}}');
    expect(canonicalJson({ a: { toJSON: () => ({ z: 1, y: 2 }) } })).toBe('{"a":{"y":2,"z":1}}');
  });
});
