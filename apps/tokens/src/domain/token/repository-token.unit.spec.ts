import { DomainError } from '@dockyard/contracts';
import { TokenGrant, checkGrant, formatToken, parseToken } from './repository-token';

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
    expect(parseToken('access=read,repository="a/b",signature=x')).toEqual({ signature: 'x', repository: 'a/b', access: 'read' });
  });
  it.each(['', 'signature=x', 'signature=x,repository="a/b",access=admin', 42])('refuses %p', (raw) => {
    expect(() => parseToken(raw)).toThrow(DomainError);
  });
  it('opens only its repository, its access, before expiry', () => {
    const presented = parseToken(formatToken('s', grant));
    const now = 1000;
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'write', now }))).toBe('ok');
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'any', now }))).toBe('ok');
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/other', access: 'write', now }))).toMatch(/another/);
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'delete', now }))).toMatch(/grant/);
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'write', now: 2000 }))).toMatch(/expired/);
  });
  it('refuses a header whose readable part was edited', () => {
    const presented = { ...parseToken(formatToken('s', grant)), access: 'delete' };
    expect(code(() => checkGrant(grant, presented, { repository: 'alice_01/web', access: 'any', now: 1 }))).toMatch(/Invalid/);
  });
});
