import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Pool } from 'pg';
import { DomainError } from '@dockyard/contracts';
import { TokenGrant } from '../domain/token';

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

  verify(signature: string): TokenGrant {
    const [payload, mac] = signature.split('.');
    if (!payload || !mac) throw new DomainError('forbidden', 'Invalid token');
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new DomainError('forbidden', 'Invalid token');
    }
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenGrant;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
