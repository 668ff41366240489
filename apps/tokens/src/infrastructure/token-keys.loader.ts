import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { TokenKeys } from '@dockyard/token-keys';

/**
 * The tokens service's keys (libs/token-keys): under DOCKYARD_TOKEN_KEY, the master key the gateways
 * share, so it verifies their tokens and signs its own under its own kid. Without it (a distributed
 * hub not configured with one: the gateways then ask this service to issue and validate every
 * token) a master key generated on the first start and kept in tokens.signing_key, so every replica
 * of this service shares it.
 */
export async function loadTokenKeys(pool: Pool, configured: string | undefined): Promise<TokenKeys> {
  if (configured) return TokenKeys.fromSecret(configured);
  await pool.query(`INSERT INTO tokens.signing_key (id, key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
    randomBytes(32).toString('base64'),
  ]);
  const { rows } = await pool.query('SELECT key FROM tokens.signing_key WHERE id = 1');
  return new TokenKeys(Buffer.from(rows[0].key, 'base64'));
}
