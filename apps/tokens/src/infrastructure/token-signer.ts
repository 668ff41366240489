import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { DomainError } from '@dockyard/contracts';
import { TokenGrant } from '../domain/token';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The grant inside a signature whose MAC checked out; its shape is still checked, never trusted blindly. */
function grantOf(payload: string): TokenGrant {
  let grant: Partial<TokenGrant>;
  try {
    grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new DomainError('forbidden', 'Invalid token');
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
    (grant.issuedAt === undefined || typeof grant.issuedAt === 'number');
  if (!valid) throw new DomainError('forbidden', 'Invalid token');
  return grant as TokenGrant;
}

/**
 * Signs grants with HMAC-SHA256, so a token is verified without storing it: `signature` is
 * base64url(grant JSON) + '.' + base64url(MAC). The key is DOCKYARD_TOKEN_KEY, or one generated on
 * the first start and kept in tokens.signing_key, so every replica shares it.
 */
export class TokenSigner {
  private constructor(private readonly key: Buffer) {}

  static async load(pool: Pool, configured: string | undefined): Promise<TokenSigner> {
    if (configured) return new TokenSigner(Buffer.from(configured));
    await pool.query(`INSERT INTO tokens.signing_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
      randomBytes(32).toString('base64'),
    ]);
    const { rows } = await pool.query('SELECT key FROM tokens.signing_key WHERE id = 1');
    return new TokenSigner(Buffer.from(rows[0].key, 'base64'));
  }

  sign(grant: TokenGrant): string {
    const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /**
   * The signature must be exactly `payload.mac` as `sign` wrote it. The MAC is compared as text, in
   * constant time: decoding it first would accept other spellings of the same bytes (base64url
   * ignores the spare bits of its last character).
   */
  verify(signature: string): TokenGrant {
    const parts = signature.split('.');
    if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) {
      throw new DomainError('forbidden', 'Invalid token');
    }
    const [payload, mac] = parts;
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new DomainError('forbidden', 'Invalid token');
    }
    return grantOf(payload);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
