import { KeyObject } from 'node:crypto';
import { Pool } from 'pg';
import { newSigningKey, signingKeyFrom } from './audit-checkpoint';

/**
 * The key that signs audit checkpoints: `DOCKYARD_AUDIT_SIGNING_KEY` when configured, else one
 * generated the first time a checkpoint is asked for and kept in `read.audit_signing_key`, so every
 * gateway replica, and every restart, signs with the same key (the first replica's insert wins).
 */
export class AuditSigningKey {
  private key: Promise<KeyObject> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly configured: string | undefined,
  ) {}

  get(): Promise<KeyObject> {
    this.key ??= this.load().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async load(): Promise<KeyObject> {
    if (this.configured) return signingKeyFrom(this.configured);
    await this.pool.query('INSERT INTO read.audit_signing_key (id, private_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING', [newSigningKey()]);
    const { rows } = await this.pool.query('SELECT private_key FROM read.audit_signing_key WHERE id = 1');
    return signingKeyFrom(rows[0].private_key);
  }
}
