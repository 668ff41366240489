import { Pool, PoolClient } from 'pg';
import { DomainError, MessageMetadata, WrittenStream, userStreamId } from '@dockyard/contracts';
import { EventStore, WrongExpectedVersionError, appendClaiming } from '@dockyard/eventstore';
import { UserEvent, UserState, foldUser } from '../domain/user';

export const ACCOUNTS_SCHEMA = 'accounts';

export interface LoadedUser {
  state: UserState;
  version: number;
}

/** Loads User aggregates from their streams and appends their new events. */
export class UserRepository {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
  ) {}

  async load(username: string): Promise<LoadedUser> {
    const stored = await this.store.readStream(userStreamId(username));
    const events = stored.map((e) => ({ type: e.type, data: e.data, secret: e.secret ?? undefined }) as unknown as UserEvent);
    return { state: foldUser(events), version: stored.length === 0 ? 0 : stored[stored.length - 1].streamVersion };
  }

  exists(username: string): Promise<boolean> {
    return this.store.streamVersion(userStreamId(username)).then((version) => version > 0);
  }

  /**
   * Appends at the expected version and claims `newEmails` in the same transaction; an address
   * someone else holds fails the whole append with `already-exists`.
   */
  async append(
    username: string,
    expectedVersion: number,
    events: UserEvent[],
    metadata: MessageMetadata,
    newEmails: string[] = [],
  ): Promise<WrittenStream> {
    return appendClaiming(
      this.store,
      'accounts',
      { streamId: userStreamId(username), expectedVersion },
      events.map((e) => ({ type: e.type, data: { ...e.data }, secret: 'secret' in e ? { ...e.secret } : undefined })),
      metadata,
      {
        write: async (client: PoolClient) => {
          // A new user takes its name as a namespace: no organization may hold it (nor later take it).
          if (expectedVersion === 0) await claimNamespace(client, username, 'user');
          for (const email of newEmails) {
            await client.query('INSERT INTO accounts.email_claims (email, username) VALUES ($1, $2)', [email, username]);
          }
        },
        taken: () => new DomainError('already-exists', 'Username or email already exists'),
      },
    );
  }

  /** Whether a user or an organization holds the name. */
  async namespaceClaimed(name: string): Promise<boolean> {
    return this.pool.query('SELECT 1 FROM accounts.namespace_claims WHERE name = $1', [name]).then((r) => (r.rowCount ?? 0) > 0);
  }

  async emailClaimed(email: string): Promise<boolean> {
    return this.pool
      .query('SELECT 1 FROM accounts.email_claims WHERE email = $1', [email.toLowerCase()])
      .then((r) => (r.rowCount ?? 0) > 0);
  }
}

/** Claims a namespace name; a name already held fails the transaction with a unique violation. */
export async function claimNamespace(client: PoolClient, name: string, kind: 'user' | 'organization'): Promise<void> {
  await client.query('INSERT INTO accounts.namespace_claims (name, kind) VALUES ($1, $2)', [name, kind]);
}

export { WrongExpectedVersionError };
