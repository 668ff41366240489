import { Pool, PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  ORGANIZATION_EVENTS,
  OrganizationMemberRemovedV1,
  OrganizationMemberRoleSetV1,
  PublishedEvent,
  TeamMemberV1,
  TeamPermissionSetV1,
  TeamRemovedV1,
  TeamRepositoryV1,
  REPOSITORIES_EVENTS,
  RetryParkedCommand,
} from '@dockyard/contracts';
import { DeliveryOutcome, RetryReport, StreamConsumer, StreamConsumerOptions } from '@dockyard/eventstore';

const CONSUMER = 'revocations';
export const TOKENS_SCHEMA = 'tokens';

/**
 * What voids tokens, learnt from other services' events; read on every validation. Applied per
 * stream in order (StreamConsumer): a gap is repaired from the owner (`readStream`), an event that
 * keeps failing is parked in tokens.parked_events (retried by `tokens.retry-parked`).
 */
export class Revocations {
  private readonly consumer: StreamConsumer;

  constructor(
    private readonly pool: Pool,
    options: Pick<StreamConsumerOptions, 'readStream' | 'logger' | 'maxAttempts' | 'backoffMs'> = {},
  ) {
    this.consumer = new StreamConsumer({
      pool,
      schema: TOKENS_SCHEMA,
      consumer: CONSUMER,
      effect: revoke,
      passesOver: (event) => !revokes(event),
      ...options,
    });
  }

  apply(event: PublishedEvent): Promise<DeliveryOutcome> {
    return this.consumer.handle(event);
  }

  retryParked(command: RetryParkedCommand = {}): Promise<RetryReport> {
    return this.consumer.retryParked({ streamId: command.streamId });
  }

  /**
   * True when the repository was deleted, the user's password changed, the user left (a team of)
   * the organization that owns the repository, or that organization's permissions narrowed, after
   * the token was issued.
   */
  async voids(grant: {
    repositoryId: string;
    repository: string;
    username: string | null;
    credentialsVersion: number | null;
    issuedAt: number;
  }): Promise<boolean> {
    const { username } = grant;
    const { rows } = await this.pool.query(
      `SELECT EXISTS (SELECT 1 FROM tokens.deleted_repositories WHERE repository_id = $1) AS deleted,
              (SELECT credentials_version FROM tokens.user_credentials WHERE username = $2) AS version,
              EXISTS (SELECT 1 FROM tokens.membership_revocations
                       WHERE username = $2 AND namespace = split_part($3, '/', 1) AND revoked_at >= to_timestamp($4 / 1000.0)) AS left,
              EXISTS (SELECT 1 FROM tokens.namespace_revocations
                       WHERE namespace = split_part($3, '/', 1) AND revoked_at >= to_timestamp($4 / 1000.0)) AS narrowed`,
      [grant.repositoryId, username ?? '', grant.repository, grant.issuedAt],
    );
    if (rows[0].deleted) return true;
    return username !== null && ((rows[0].version ?? 1) !== grant.credentialsVersion || rows[0].left || rows[0].narrowed);
  }
}

/**
 * A user who leaves an organization or one of its teams loses every token it holds for the
 * organization's repositories (whatever they were granted through): dated by this service's clock
 * when it learns of it, so a token issued between the removal and now is void too.
 */
async function revokeMembership(client: PoolClient, organization: string, usernames: string[]): Promise<void> {
  for (const username of usernames) {
    await client.query(
      `INSERT INTO tokens.membership_revocations (username, namespace, revoked_at) VALUES ($1, $2, clock_timestamp())
       ON CONFLICT (username, namespace) DO UPDATE SET revoked_at = excluded.revoked_at`,
      [username, organization],
    );
  }
}

/**
 * A team's permission set, or a repository taken from a team: some members may now do less in the
 * organization than their tokens say. Which ones this service does not know (it keeps no teams),
 * so every user's token issued there before now is void; docker asks for a new token with every
 * pull and push, so members who keep their rights only get one again. Permission changes are rare
 * administrator acts; a token that writes for a day after its holder lost the right would not be.
 */
async function revokeNamespace(client: PoolClient, organization: string): Promise<void> {
  await client.query(
    `INSERT INTO tokens.namespace_revocations (namespace, revoked_at) VALUES ($1, clock_timestamp())
     ON CONFLICT (namespace) DO UPDATE SET revoked_at = excluded.revoked_at`,
    [organization],
  );
}

/**
 * What each event that voids tokens does, by type: the one list of them, so the events passed over
 * (every other type only moves the checkpoint) can never drift from what `revoke` handles.
 */
const REVOKING: Record<string, (client: PoolClient, data: unknown) => Promise<void>> = {
  [ORGANIZATION_EVENTS.MemberRemoved]: (client, data) => {
    const removed = data as OrganizationMemberRemovedV1;
    return revokeMembership(client, removed.organization, [removed.username]);
  },
  [ORGANIZATION_EVENTS.TeamMemberRemoved]: (client, data) => {
    const removed = data as TeamMemberV1;
    return revokeMembership(client, removed.organization, [removed.username]);
  },
  [ORGANIZATION_EVENTS.TeamRemoved]: (client, data) => {
    const removed = data as TeamRemovedV1;
    // Builds before the organization's own-name lookups recorded removals of teams that never
    // existed (`constructor`) without members: nothing to void, and such an event must not park
    // the organization's stream.
    return revokeMembership(client, removed.organization, removed.members ?? []);
  },
  // An owner made a member (or a user who joins: no earlier tokens there to void but public reads).
  [ORGANIZATION_EVENTS.MemberRoleSet]: async (client, data) => {
    const set = data as OrganizationMemberRoleSetV1;
    if (set.role !== 'owner') await revokeMembership(client, set.organization, [set.username]);
  },
  [ORGANIZATION_EVENTS.TeamPermissionSet]: (client, data) => revokeNamespace(client, (data as TeamPermissionSetV1).organization),
  [ORGANIZATION_EVENTS.TeamRepositoryRemoved]: (client, data) => revokeNamespace(client, (data as TeamRepositoryV1).organization),
  [REPOSITORIES_EVENTS.RepositoryDeleted]: async (client, data) => {
    await client.query('INSERT INTO tokens.deleted_repositories VALUES ($1) ON CONFLICT DO NOTHING', [
      (data as { repositoryId: string }).repositoryId,
    ]);
  },
  [ACCOUNTS_EVENTS.PasswordChanged]: async (client, data) => {
    const changed = data as { username: string; credentialsVersion: number };
    await client.query(
      `INSERT INTO tokens.user_credentials VALUES ($1, $2) ON CONFLICT (username)
       DO UPDATE SET credentials_version = GREATEST(tokens.user_credentials.credentials_version, excluded.credentials_version)`,
      [changed.username, changed.credentialsVersion],
    );
  },
};

const revokes = (event: PublishedEvent): boolean => Object.hasOwn(REVOKING, event.type);

async function revoke(client: PoolClient, event: PublishedEvent): Promise<void> {
  if (revokes(event)) await REVOKING[event.type](client, event.data);
}
