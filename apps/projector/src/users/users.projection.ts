import { PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  EmailAddedV1,
  PasswordChangedV1,
  PublishedEvent,
  RoleGrantedV1,
  RoleRevokedV1,
  UserRegisteredV1,
} from '@dockyard/contracts';
import { BatchFolds } from '../batch-fold';

/** Folds accounts events into read.users, the table the gateway authenticates and answers from. */
export async function projectUser(client: PoolClient, event: PublishedEvent): Promise<void> {
  // One fold per type: these fold one event live and many at once in a rebuild (BatchFold).
  const batch = USER_BATCH_FOLDS[event.type];
  if (batch) return batch(client, [event]);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case ACCOUNTS_EVENTS.EmailAdded: {
      const data = event.data as unknown as EmailAddedV1;
      await client.query(
        `UPDATE users SET emails = array_append(emails, $2), updated_at = $3 WHERE username = $1`,
        [data.username, data.email, at],
      );
      return;
    }
    case ACCOUNTS_EVENTS.AdminGranted:
      await setRole(client, (event.data as { username: string }).username, 'admin', true, at);
      return;
    case ACCOUNTS_EVENTS.RoleGranted: {
      const data = event.data as unknown as RoleGrantedV1;
      await setRole(client, data.username, data.role, true, at);
      return;
    }
    case ACCOUNTS_EVENTS.RoleRevoked: {
      const data = event.data as unknown as RoleRevokedV1;
      await setRole(client, data.username, data.role, false, at);
      return;
    }
    default:
      // Event types this projection does not know yet (a newer producer) change nothing here.
      return;
  }
}

// One column per role; the role name comes from a closed list, never from the event as SQL.
const ROLE_COLUMNS = { admin: 'admin', auditor: 'auditor' } as const;

async function setRole(
  client: PoolClient,
  username: string,
  role: string,
  granted: boolean,
  at: string,
): Promise<void> {
  const column = ROLE_COLUMNS[role as keyof typeof ROLE_COLUMNS];
  if (!column) return;
  await client.query(`UPDATE users SET ${column} = $2, updated_at = $3 WHERE username = $1`, [
    username,
    granted,
    at,
  ]);
}

const timesOf = (events: PublishedEvent[]) => events.map((event) => event.metadata.occurredAt);
const usernamesOf = (events: PublishedEvent[]) =>
  events.map((event) => (event.data as { username: string }).username);

/** How `projectUser` folds its common types, one event live or many at once in a rebuild (BatchFold). */
export const USER_BATCH_FOLDS: BatchFolds = {
  [ACCOUNTS_EVENTS.UserRegistered]: async (client, events) => {
    const data = events.map((event) => event.data as unknown as UserRegisteredV1);
    await client.query(
      `INSERT INTO users (username, emails, active, credentials_version, registered_at, updated_at)
       SELECT r.username, ARRAY[r.email], r.active, 1, r.at, r.at
       FROM unnest($1::text[], $2::text[], $3::boolean[], $4::timestamptz[]) AS r(username, email, active, at)`,
      [data.map((d) => d.username), data.map((d) => d.email), data.map((d) => d.active), timesOf(events)],
    );
  },
  [ACCOUNTS_EVENTS.EmailConfirmed]: async (client, events) => {
    await client.query(
      `UPDATE users SET active = true, updated_at = r.at
       FROM unnest($1::text[], $2::timestamptz[]) AS r(username, at) WHERE users.username = r.username`,
      [usernamesOf(events), timesOf(events)],
    );
  },
  [ACCOUNTS_EVENTS.PasswordChanged]: async (client, events) => {
    await client.query(
      `UPDATE users SET credentials_version = r.version, updated_at = r.at
       FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS r(username, version, at) WHERE users.username = r.username`,
      [
        usernamesOf(events),
        events.map((event) => (event.data as unknown as PasswordChangedV1).credentialsVersion),
        timesOf(events),
      ],
    );
  },
  [ACCOUNTS_EVENTS.UserDeactivated]: async (client, events) => {
    await client.query(
      `UPDATE users SET active = false, updated_at = r.at
       FROM unnest($1::text[], $2::timestamptz[]) AS r(username, at) WHERE users.username = r.username`,
      [usernamesOf(events), timesOf(events)],
    );
  },
};
