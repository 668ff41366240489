import { TokenKeys } from '@dockyard/token-keys';
import { GatewayTokens } from './gateway-tokens';
import { IssuedTokensAudit } from './issued-tokens-audit';

const MASTER = 'unit-test-token-master-key-0123456789';
const META = { correlationId: 'unit-test', actor: 'alice_01' };
const request = {
  repository: 'alice_01/web',
  repositoryId: '5a9b3c1e-0000-4000-8000-000000000001',
  access: 'write' as const,
  user: { username: 'alice_01', credentialsVersion: 1 },
};

/** A gateway's tokens, with an audit that records nothing (the audit has its own tests). */
function gatewayTokens(keys = TokenKeys.fromSecret(MASTER), ttlSeconds = 60, record: () => void = () => undefined): GatewayTokens {
  const audit = { record, flush: async () => undefined } as unknown as IssuedTokensAudit;
  return new GatewayTokens(keys, audit, ttlSeconds);
}

/** The token with one character of its signature's payload or MAC changed. */
function tampered(token: string, part: 'payload' | 'mac'): string {
  const [, payload, mac] = /^signature=([^.]+)\.([^,]+),/.exec(token)!;
  const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
  return part === 'payload' ? token.replace(payload, flip(payload)) : token.replace(`.${mac},`, `.${flip(mac)},`);
}

describe('GatewayTokens.verify', () => {
  afterEach(() => jest.useRealTimers());

  it('answers the grant of a token it signed, and again from its verified signatures', () => {
    const tokens = gatewayTokens();
    const token = tokens.issue(request, META);
    for (let i = 0; i < 2; i++) {
      expect(tokens.verify(token, 'alice_01/web', 'write')).toMatchObject({ repository: 'alice_01/web', access: 'write', username: 'alice_01' });
    }
  });

  it("answers another replica's token (same master key) once its MAC passed, then from memory", () => {
    const token = gatewayTokens().issue(request, META);
    const replica = gatewayTokens();
    expect(replica.verify(token, 'alice_01/web', 'any').repositoryId).toBe(request.repositoryId);
    expect(replica.verify(token, 'alice_01/web', 'any').repositoryId).toBe(request.repositoryId);
  });

  it('refuses a changed payload or MAC of a token whose genuine signature it has verified', () => {
    const tokens = gatewayTokens();
    const token = tokens.issue(request, META);
    tokens.verify(token, 'alice_01/web', 'write');
    expect(() => tokens.verify(tampered(token, 'payload'), 'alice_01/web', 'write')).toThrow('Invalid token');
    expect(() => tokens.verify(tampered(token, 'mac'), 'alice_01/web', 'write')).toThrow('Invalid token');
  });

  it('refuses a token of another master key, however often it is presented', () => {
    const forged = gatewayTokens(TokenKeys.fromSecret('another-master-key-0123456789abcdef')).issue(request, META);
    const tokens = gatewayTokens();
    for (let i = 0; i < 2; i++) expect(() => tokens.verify(forged, 'alice_01/web', 'write')).toThrow('Invalid token');
  });

  it('still checks repository, access and expiry on a signature it knows', () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') });
    const tokens = gatewayTokens(undefined, 60);
    const token = tokens.issue(request, META);
    tokens.verify(token, 'alice_01/web', 'write');
    expect(() => tokens.verify(token, 'alice_01/other', 'write')).toThrow('Token is for another repository');
    expect(() => tokens.verify(token, 'alice_01/web', 'delete')).toThrow('Token does not grant delete access');
    // The readable part must match the signed grant, even for a signature it knows.
    expect(() => tokens.verify(token.replace('access=write', 'access=delete'), 'alice_01/web', 'delete')).toThrow('Invalid token');
    jest.setSystemTime(new Date('2026-11-27T12:01:00Z'));
    expect(() => tokens.verify(token, 'alice_01/web', 'write')).toThrow('Token expired');
  });
});

describe('GatewayTokens.issue', () => {
  afterEach(() => jest.useRealTimers());
  const anonymousRead = { repository: 'alice_01/web', repositoryId: request.repositoryId, access: 'read' as const, user: null };

  it('hands one anonymous read token of a repository to every anonymous pull for 5 s, then signs a new one', () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') });
    const audited = jest.fn();
    const tokens = gatewayTokens(undefined, 86400, audited);
    const first = tokens.issue(anonymousRead, META);
    jest.setSystemTime(new Date('2026-11-27T12:00:04.900Z'));
    expect(tokens.issue(anonymousRead, META)).toBe(first);
    expect(tokens.verify(first, 'alice_01/web', 'read').username).toBeNull();
    jest.setSystemTime(new Date('2026-11-27T12:00:05Z'));
    expect(tokens.issue(anonymousRead, META)).not.toBe(first);
    expect(audited).not.toHaveBeenCalled(); // anonymous read grants are not audited
  });

  it('never hands a shared token out within a second of its expiry (a short DOCKYARD_TOKEN_TTL_SECONDS)', () => {
    jest.useFakeTimers({ now: new Date('2026-11-27T12:00:00Z') });
    const tokens = gatewayTokens(undefined, 3);
    const first = tokens.issue(anonymousRead, META);
    jest.setSystemTime(new Date('2026-11-27T12:00:01.500Z'));
    expect(tokens.issue(anonymousRead, META)).toBe(first);
    jest.setSystemTime(new Date('2026-11-27T12:00:02.000Z'));
    const next = tokens.issue(anonymousRead, META);
    expect(next).not.toBe(first);
    expect(() => tokens.verify(next, 'alice_01/web', 'read')).not.toThrow();
  });

  it('never shares a token across repositories, across lives of one name, or with a user or a write grant', () => {
    const audited = jest.fn();
    const tokens = gatewayTokens(undefined, 86400, audited);
    const first = tokens.issue(anonymousRead, META);
    expect(tokens.issue({ ...anonymousRead, repository: 'alice_01/api' }, META)).not.toBe(first);
    // The same name deleted and created again: another repository id, another token.
    expect(tokens.issue({ ...anonymousRead, repositoryId: '5a9b3c1e-0000-4000-8000-000000000002' }, META)).not.toBe(first);
    const userRead = { ...anonymousRead, user: { username: 'bob_01', credentialsVersion: 1 } };
    const bobs = tokens.issue(userRead, META);
    expect(bobs).not.toBe(first);
    expect(tokens.issue(userRead, META)).not.toBe(bobs); // each of a user's grants is its own, and audited
    const anonymousWrite = { ...anonymousRead, access: 'write' as const };
    expect(tokens.issue(anonymousWrite, META)).not.toBe(tokens.issue(anonymousWrite, META));
    expect(audited).toHaveBeenCalledTimes(4);
  });
});
