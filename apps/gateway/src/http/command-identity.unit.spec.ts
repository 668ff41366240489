import { FastifyRequest } from 'fastify';
import { CommandIdSource, commandIdFor, idempotencyKeyOf, nextCommandId, noteCaller } from './command-identity';

const source = (over: Partial<CommandIdSource> = {}): CommandIdSource => ({
  idempotencyKey: 'key-1',
  caller: 'user:alice',
  method: 'POST',
  url: '/v1/users/',
  requestNonce: 'nonce-1',
  ...over,
});

const request = (headers: Record<string, unknown>, url = '/v1/users/', rawHeaders = Object.entries(headers).flatMap(([name, value]) => [name, String(value)])) =>
  ({ headers, raw: { rawHeaders }, method: 'POST', url, id: 'req-1' }) as unknown as FastifyRequest;

describe('command ids', () => {
  it('a retry of the same request with the same key names the same commands, numbered in order', () => {
    expect(commandIdFor(source({ requestNonce: 'a' }), 0)).toBe(commandIdFor(source({ requestNonce: 'b' }), 0));
    expect(commandIdFor(source(), 0)).not.toBe(commandIdFor(source(), 1));
    expect(commandIdFor(source(), 1)).toMatch(/^k:[A-Za-z0-9_-]{43}:1$/);
  });

  it("keys are scoped to the caller and the request line: two users' keys never collide", () => {
    const alice = commandIdFor(source(), 0);
    expect(commandIdFor(source({ caller: 'user:bob' }), 0)).not.toBe(alice);
    expect(commandIdFor(source({ caller: 'anonymous' }), 0)).not.toBe(alice);
    expect(commandIdFor(source({ url: '/v1/users/alice/' }), 0)).not.toBe(alice);
    expect(commandIdFor(source({ method: 'PUT' }), 0)).not.toBe(alice);
    expect(commandIdFor(source({ idempotencyKey: 'key-2' }), 0)).not.toBe(alice);
    // No ambiguity from joining the parts.
    expect(commandIdFor(source({ caller: 'a', idempotencyKey: 'bc' }), 0)).not.toBe(commandIdFor(source({ caller: 'ab', idempotencyKey: 'c' }), 0));
  });

  it('without a key every request has its own commands', () => {
    const none = source({ idempotencyKey: undefined });
    expect(commandIdFor(none, 0)).toBe('r:nonce-1:0');
    expect(commandIdFor({ ...none, requestNonce: 'nonce-2' }, 0)).not.toBe(commandIdFor(none, 0));
  });

  it('per request: ordinals count up, the authenticated caller scopes the key', () => {
    const first = request({ 'idempotency-key': 'k' });
    noteCaller(first, 'user:alice');
    const again = request({ 'idempotency-key': 'k' });
    noteCaller(again, 'user:alice');
    const other = request({ 'idempotency-key': 'k' });
    noteCaller(other, 'user:bob');
    const ids = [nextCommandId(first, 'anonymous'), nextCommandId(first, 'anonymous')];
    expect(ids[0]).not.toBe(ids[1]);
    expect([nextCommandId(again, 'anonymous'), nextCommandId(again, 'anonymous')]).toEqual(ids);
    expect(nextCommandId(other, 'anonymous')).not.toBe(ids[0]);
    const plain = request({});
    expect(nextCommandId(plain, 'anonymous')).not.toBe(nextCommandId(request({}), 'anonymous'));
  });

  it('Idempotency-Key: 1 to 200 printable ASCII characters, else invalid', () => {
    expect(idempotencyKeyOf(request({}))).toBeUndefined();
    expect(idempotencyKeyOf(request({ 'idempotency-key': 'a' }))).toBe('a');
    expect(idempotencyKeyOf(request({ 'idempotency-key': 'x'.repeat(200) }))).toBe('x'.repeat(200));
    for (const bad of ['', 'x'.repeat(201), 'caf\u00e9', 'a\tb', 'a\u007fb', ['a', 'b']]) {
      expect(() => idempotencyKeyOf(request({ 'idempotency-key': bad }))).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });

  it('two Idempotency-Key header lines are invalid, though Node joins them into one printable value', () => {
    const joined = request({ 'idempotency-key': 'k1, k2' }, '/v1/users/', ['Idempotency-Key', 'k1', 'idempotency-key', 'k2']);
    expect(() => idempotencyKeyOf(joined)).toThrow(expect.objectContaining({ code: 'invalid' }));
    expect(idempotencyKeyOf(request({ 'idempotency-key': 'k1, k2' }))).toBe('k1, k2'); // one line: one key
  });
});
