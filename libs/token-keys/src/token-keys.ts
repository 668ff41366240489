import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError, TokenGrant } from '@dockyard/contracts';

const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** A kid is a short base64url word: bounds what an attacker's token makes the verifier derive. */
const KID = /^[A-Za-z0-9_-]{1,32}$/;
/** Derived keys kept per kid: a few per replica and restart; more only from hostile tokens. */
const DERIVED_KEYS_KEPT = 256;

const invalid = () => new DomainError('forbidden', 'Invalid token');

/** The grant inside a signature, its shape checked (before the MAC only to learn its kid). */
function grantOf(payload: string): TokenGrant {
  let grant: Partial<TokenGrant>;
  try {
    grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const nullableString = (v: unknown) => v === null || typeof v === 'string';
  const valid =
    typeof grant === 'object' &&
    grant !== null &&
    typeof grant.tokenId === 'string' &&
    typeof grant.repository === 'string' &&
    typeof grant.repositoryId === 'string' &&
    typeof grant.access === 'string' &&
    nullableString(grant.username) &&
    (grant.credentialsVersion === null || typeof grant.credentialsVersion === 'number') &&
    typeof grant.expiresAt === 'number' &&
    (grant.issuedAt === undefined || typeof grant.issuedAt === 'number') &&
    (grant.kid === undefined || (typeof grant.kid === 'string' && KID.test(grant.kid)));
  if (!valid) throw invalid();
  return grant as TokenGrant;
}

const mac = (key: Buffer, payload: string): string => createHmac('sha256', key).update(payload).digest('base64url');

/**
 * The key hierarchy of repository tokens. One master key (DOCKYARD_TOKEN_KEY, shared by the
 * gateways and the tokens service); each issuer (a gateway replica, a tokens service process)
 * signs with its own key HMAC(master, "issuer:" + kid) under a kid drawn at random when it starts,
 * and writes the kid into the grant. A verifier holding the master key re-derives any issuer's key
 * from the kid; an issuer's key alone signs for no other kid. Grants without a kid (signed before
 * issuers had keys) are checked against the master key itself.
 *
 * A signature is base64url(grant JSON) + '.' + base64url(MAC): the `signature=` part of the token
 * a docker client carries in `X-Docker-Token` and `Authorization: Token` (protocol.md §3).
 */
export class TokenKeys {
  private readonly derived = new Map<string, Buffer>();
  /** This process's own issuing key id. */
  readonly kid: string;
  private readonly issuingKey: Buffer;

  constructor(
    private readonly master: Buffer,
    kid: string = randomBytes(8).toString('base64url'),
  ) {
    if (master.length === 0) throw new Error('the token master key is empty');
    if (!KID.test(kid)) throw new Error(`not a token key id: ${kid}`);
    this.kid = kid;
    this.issuingKey = this.keyOf(kid);
  }

  /** DOCKYARD_TOKEN_KEY as configured: its bytes as written (any text is a key). */
  static fromSecret(secret: string, kid?: string): TokenKeys {
    return new TokenKeys(Buffer.from(secret), kid);
  }

  /** Signs `grant` with this issuer's key; the kid is signed into it. */
  sign(grant: Omit<TokenGrant, 'kid'>): string {
    const payload = Buffer.from(JSON.stringify({ ...grant, kid: this.kid })).toString('base64url');
    return `${payload}.${mac(this.issuingKey, payload)}`;
  }

  /**
   * The grant of a signature one of this master key's issuers made, else 403. The signature must be
   * exactly `payload.mac` as `sign` wrote it; the MAC is compared as text, in constant time
   * (decoding it first would accept other spellings of the same bytes: base64url ignores the spare
   * bits of its last character).
   */
  verify(signature: string): TokenGrant {
    const parts = signature.split('.');
    if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) throw invalid();
    const [payload, given] = parts;
    const grant = grantOf(payload);
    const key = grant.kid === undefined ? this.master : this.keyOf(grant.kid);
    const expected = Buffer.from(mac(key, payload));
    const presented = Buffer.from(given);
    if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) throw invalid();
    return grant;
  }

  private keyOf(kid: string): Buffer {
    let key = this.derived.get(kid);
    if (!key) {
      key = createHmac('sha256', this.master).update(`issuer:${kid}`).digest();
      if (this.derived.size >= DERIVED_KEYS_KEPT) this.derived.delete(this.derived.keys().next().value as string);
      this.derived.set(kid, key);
    }
    return key;
  }
}
