import { createHmac } from 'node:crypto';

interface CachedCredentials {
  username: string;
  credentialsVersion: number;
}

/**
 * Remembers credentials that were right, keyed by a keyed hash of username and password (the
 * password itself is never kept). An entry is only trusted while the user's credentials version in
 * the read model still matches it, so a password change on any replica retires it. Failures are
 * never cached. Bounded: the oldest entry leaves first.
 */
export class CredentialCache {
  private readonly entries = new Map<string, CachedCredentials>();

  constructor(
    private readonly key: Buffer,
    private readonly maxEntries = 10000,
  ) {}

  private name(username: string, password: string): string {
    return createHmac('sha256', this.key).update(username).update('\0').update(password).digest('base64');
  }

  get(username: string, password: string): CachedCredentials | undefined {
    return this.entries.get(this.name(username, password));
  }

  remember(username: string, password: string, credentialsVersion: number): void {
    const name = this.name(username, password);
    this.entries.delete(name);
    this.entries.set(name, { username, credentialsVersion });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(username: string, password: string): void {
    this.entries.delete(this.name(username, password));
  }
}
