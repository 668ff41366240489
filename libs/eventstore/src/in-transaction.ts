import { Pool, PoolClient } from 'pg';
import { commitWakingRelays, forgetRelayWakes } from './relay-wake';

/**
 * Runs `work` in one transaction on a pooled connection: committed if it returns (then the relays of
 * the stores it appended to are woken, relay-wake.ts), rolled back if it throws.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query(commitWakingRelays(client));
    return result;
  } catch (error) {
    forgetRelayWakes(client);
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
