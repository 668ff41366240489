import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainError, TokenGrant, checkGrant, formatToken, parseToken } from '@dockyard/contracts';
import { TokenKeys } from './token-keys';
import { loadOrCreateTokenKey, tokenKeyFile } from './token-key-file';

const now = () => Math.floor(Date.now() / 1000);
const grant = (overrides: Partial<TokenGrant> = {}): Omit<TokenGrant, 'kid'> => ({
  tokenId: 't1',
  repository: 'alice_01/web',
  repositoryId: 'r1',
  access: 'read',
  username: 'alice_01',
  credentialsVersion: 1,
  expiresAt: now() + 60,
  issuedAt: Date.now(),
  ...overrides,
});
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const macOf = (key: Buffer | string, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** What a gateway's route does with a presented token: verify, then check it opens this call. */
function opens(keys: TokenKeys, token: string, repository: string, access: 'read' | 'write' | 'any'): TokenGrant {
  const presented = parseToken(token);
  const verified = keys.verify(presented.signature);
  checkGrant(verified, presented, { repository, access, now: now() });
  return verified;
}

const refusal = (work: () => unknown): DomainError => {
  try {
    work();
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('accepted');
};

describe('token keys (master key, per-issuer derived keys)', () => {
  const master = 'the shared master key';
  const gatewayOne = TokenKeys.fromSecret(master);
  const gatewayTwo = TokenKeys.fromSecret(master);
  const tokensService = TokenKeys.fromSecret(master);

  it('each issuer has its own random kid; any holder of the master verifies any issuer', () => {
    expect(gatewayOne.kid).not.toBe(gatewayTwo.kid);
    const token = formatToken(gatewayOne.sign(grant()), grant() as TokenGrant);
    expect(token.length).toBeLessThan(600);
    for (const verifier of [gatewayOne, gatewayTwo, tokensService]) {
      expect(opens(verifier, token, 'alice_01/web', 'read')).toMatchObject({ tokenId: 't1', kid: gatewayOne.kid });
    }
  });

  it('refuses a forged MAC', () => {
    const [payload] = gatewayOne.sign(grant()).split('.');
    expect(refusal(() => tokensService.verify(`${payload}.${macOf('guess', payload)}`))).toMatchObject({ code: 'forbidden', message: 'Invalid token' });
  });

  it('refuses a token signed under a made-up kid (an attacker cannot derive its key)', () => {
    const payload = b64({ ...grant(), kid: 'madeUpKid' });
    expect(refusal(() => tokensService.verify(`${payload}.${macOf('attacker key', payload)}`)).code).toBe('forbidden');
  });

  it("one issuer's key signs for no other kid: a payload moved to another kid fails", () => {
    const [, mac] = gatewayOne.sign(grant()).split('.');
    const payload = b64({ ...grant(), kid: gatewayTwo.kid });
    expect(refusal(() => tokensService.verify(`${payload}.${mac}`)).code).toBe('forbidden');
  });

  it('refuses a valid MAC made under another master key', () => {
    const elsewhere = TokenKeys.fromSecret('another hub', gatewayOne.kid);
    expect(refusal(() => tokensService.verify(elsewhere.sign(grant()))).code).toBe('forbidden');
  });

  it('refuses a tampered payload (repository, access, expiry, user changed)', () => {
    const [payload, mac] = gatewayOne.sign(grant()).split('.');
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    for (const change of [{ repository: 'bob/web' }, { access: 'write' }, { expiresAt: now() + 99999 }, { username: 'bob' }]) {
      expect(refusal(() => tokensService.verify(`${b64({ ...decoded, ...change })}.${mac}`)).code).toBe('forbidden');
    }
  });

  it('refuses an expired grant, another repository, another access', () => {
    const expired = formatToken(gatewayOne.sign(grant({ expiresAt: now() - 1 })), grant() as TokenGrant);
    expect(refusal(() => opens(tokensService, expired, 'alice_01/web', 'read')).message).toBe('Token expired');
    const token = formatToken(gatewayOne.sign(grant()), grant() as TokenGrant);
    expect(refusal(() => opens(tokensService, token, 'alice_01/other', 'read')).message).toBe('Token is for another repository');
    expect(refusal(() => opens(tokensService, token, 'alice_01/web', 'write')).message).toBe('Token does not grant write access');
    // The readable fields outside the signature must say what the signed grant says.
    const relabelled = token.replace('access=read', 'access=write');
    expect(refusal(() => opens(tokensService, relabelled, 'alice_01/web', 'write')).message).toBe('Invalid token');
  });

  it('still verifies a token signed with the master key itself (no kid: issued before issuer keys)', () => {
    const payload = b64(grant());
    expect(tokensService.verify(`${payload}.${macOf(Buffer.from(master), payload)}`).tokenId).toBe('t1');
  });

  it('refuses an ill-formed kid without deriving anything', () => {
    const payload = b64({ ...grant(), kid: 'x'.repeat(200) });
    expect(refusal(() => tokensService.verify(`${payload}.${macOf('k', payload)}`)).code).toBe('forbidden');
  });
});

describe('the generated master key file', () => {
  it('is created once with mode 0600 and read back the same after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-key-'));
    const first = loadOrCreateTokenKey(dir);
    expect(first.length).toBeGreaterThanOrEqual(40);
    expect(statSync(tokenKeyFile(dir)).mode & 0o777).toBe(0o600);
    expect(loadOrCreateTokenKey(dir)).toBe(first);
    expect(readFileSync(tokenKeyFile(dir), 'utf8').trim()).toBe(first);
  });

  it('refuses an empty key file rather than signing with nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-key-'));
    writeFileSync(tokenKeyFile(dir), '\n', { mode: 0o644 });
    expect(() => loadOrCreateTokenKey(dir)).toThrow(/empty/);
  });
});
