import { DomainError } from '../domain-error';
import { TokenGrant, checkGrant, formatToken, parseToken } from './token-format';

const grant: TokenGrant = {
  tokenId: 't1',
  repository: 'alice_01/web',
  repositoryId: 'r1',
  access: 'write',
  username: 'alice_01',
  credentialsVersion: 1,
  expiresAt: 2000,
};
const code = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).message;
  }
  return 'ok';
};

describe('repository tokens', () => {
  it('formats and parses the seed format', () => {
    const text = formatToken('abc.def', grant);
    expect(text).toBe('signature=abc.def,repository="alice_01/web",access=write');
    expect(parseToken(text)).toEqual({ signature: 'abc.def', repository: 'alice_01/web', access: 'write' });
  });
  it.each(['', 'signature=x', 'signature=x,repository="a/b",access=admin', 42, null, { signature: 'a.b' }])('refuses %p', (raw) => {
    expect(() => parseToken(raw)).toThrow(DomainError);
  });

  // Variants of one issued token an attacker tried: each must be refused, not read leniently.
  const issued = 'signature=abc.def,repository="alice_01/web",access=write';
  it.each([
    ['extra .parts in the signature', 'signature=abc.def.ghi,repository="alice_01/web",access=write'],
    ['an extra empty .part', 'signature=abc.def.,repository="alice_01/web",access=write'],
    ['a signature without its MAC', 'signature=abc,repository="alice_01/web",access=write'],
    ['a signature starting with a dot', 'signature=.abc.def,repository="alice_01/web",access=write'],
    ['trailing garbage', `${issued}garbage`],
    ['a trailing comma', `${issued},`],
    ['a trailing field', `${issued},user="root"`],
    ['leading garbage', `x${issued}`],
    ['a leading field', `user="root",${issued}`],
    ['a duplicated signature', 'signature=abc.def,signature=xyz.uvw,repository="alice_01/web",access=write'],
    ['a duplicated access', `${issued},access=delete`],
    ['a duplicated repository', `${issued},repository="bob_0001/web"`],
    ['another field order', 'access=write,repository="alice_01/web",signature=abc.def'],
    ['another order with an extra field', 'repository="alice_01/web",x=1,signature=abc.def,access=write'],
    ['spaces after the commas', 'signature=abc.def, repository="alice_01/web", access=write'],
    ['an unquoted repository', 'signature=abc.def,repository=alice_01/web,access=write'],
    ['a newline', `${issued}\n`],
    ['an over-long token', `signature=${'a'.repeat(5000)}.b,repository="alice_01/web",access=write`],
    ['padding in the signature', 'signature=abc=.def,repository="alice_01/web",access=write'],
  ])('refuses %s', (_, raw) => {
    expect(() => parseToken(raw)).toThrow(DomainError);
  });
  it('opens only its repository, its access, before expiry', () => {
    const presented = parseToken(formatToken('s.m', grant));
    const now = 1000;
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'write', now }))).toBe('ok');
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'any', now }))).toBe('ok');
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/other', access: 'write', now }))).toMatch(/another/);
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'delete', now }))).toMatch(/grant/);
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'write', now: 2000 }))).toMatch(/expired/);
  });
  it('refuses a header whose readable part was edited', () => {
    const presented = { ...parseToken(formatToken('s.m', grant)), access: 'delete' };
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'any', now: 1 }))).toMatch(/Invalid/);
  });
});
