import { DomainError, TokenGrant } from '@dockyard/contracts';
import { TokenKeys } from './token-keys';

const grant: TokenGrant = {
  tokenId: 't1',
  repository: 'alice_01/web',
  repositoryId: 'r1',
  access: 'read',
  username: null,
  credentialsVersion: null,
  expiresAt: 2000,
};

const signer = async () => TokenKeys.fromSecret('a configured key');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function sameBytesOtherSpelling(sig: string): string {
  const last = sig[sig.length - 1];
  const variant = sig.slice(0, -1) + ALPHABET[ALPHABET.indexOf(last) ^ 1];
  const mac = (text: string) => Buffer.from(text.split('.')[1], 'base64url');
  // The premise: a lenient decoder reads both spellings as the same MAC.
  expect(mac(variant).equals(mac(sig))).toBe(true);
  return variant;
}

describe('token signatures', () => {
  it('verifies what it signed', async () => {
    const s = await signer();
    expect(s.verify(s.sign(grant))).toEqual({ ...grant, kid: s.kid });
  });

  it.each([
    ['an extra .part', (sig: string) => `${sig}.extra`],
    ['an extra empty .part', (sig: string) => `${sig}.`],
    ['the payload alone', (sig: string) => sig.split('.')[0]],
    ['the MAC cut short', (sig: string) => sig.slice(0, -1)],
    ['the MAC lengthened', (sig: string) => `${sig}A`],
    ['base64 padding on the MAC', (sig: string) => `${sig}=`],
    // 32 MAC bytes are 43 base64url characters; the last one carries 2 spare bits a decoder ignores.
    ['another spelling of the same MAC bytes', sameBytesOtherSpelling],
    ['whitespace inside', (sig: string) => sig.replace('.', ' .')],
  ])('refuses %s', async (_, edit) => {
    const s = await signer();
    const variant = edit(s.sign(grant));
    expect(() => s.verify(variant)).toThrow(DomainError);
  });

  it('refuses a grant signed with another key', async () => {
    const other = TokenKeys.fromSecret('another key');
    const s = await signer();
    expect(() => s.verify(other.sign(grant))).toThrow(DomainError);
  });
});
