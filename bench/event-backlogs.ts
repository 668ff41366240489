import { Pool } from 'pg';
import { ACCOUNTS_EVENTS, TOKENS_EVENTS, tokenStreamId, userStreamId } from '@dockyard/contracts';
import { EventStore } from '@dockyard/eventstore';

/**
 * Appends `count` UserRegistered straight into the accounts store (as registrations would, without
 * the HTTP cost), 200 at a time, for benches that need a backlog of events to fold.
 */
export async function appendRegistrations(pool: Pool, prefix: string, count: number): Promise<void> {
  const store = new EventStore(pool, 'accounts');
  const metadata = { correlationId: `bench-${prefix}`, actor: 'system:bench' };
  for (let n = 0; n < count; n += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - n) }, (_, i) => {
        const username = `${prefix}_${n + i}`;
        return store.append(userStreamId(username), 0, [
          { type: ACCOUNTS_EVENTS.UserRegistered, data: { username, email: `${username}@example.com`, active: true } },
        ], metadata);
      }),
    );
  }
}

/**
 * Appends `count` TokenIssued straight into the tokens store, each version 1 of its token's own
 * stream as the tokens service records the grants a gateway signed (one per pull with a token).
 */
export async function appendTokensIssued(pool: Pool, prefix: string, count: number, repositoryId: string): Promise<void> {
  const store = new EventStore(pool, 'tokens');
  const metadata = { correlationId: `bench-${prefix}`, actor: 'anonymous' };
  const expiresAt = new Date(Date.now() + 3600_000).toISOString();
  for (let n = 0; n < count; n += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - n) }, (_, i) => {
        const tokenId = `${prefix}-${n + i}`;
        return store.append(tokenStreamId(tokenId), 0, [
          { type: TOKENS_EVENTS.TokenIssued, data: { tokenId, repository: 'bench/app', repositoryId, access: 'read', username: null, expiresAt } },
        ], metadata);
      }),
    );
  }
}
