import { Pool } from 'pg';
import { ACCOUNTS_EVENTS, userStreamId } from '@dockyard/contracts';
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
