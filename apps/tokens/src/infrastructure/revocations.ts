import { Pool, PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  ORGANIZATION_EVENTS,
  OrganizationMemberRemovedV1,
  PublishedEvent,
  TeamMemberV1,
  TeamRemovedV1,
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
      passesOver: (event) => !REVOKING.has(event.type),
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
   * True when the repository was deleted, the user's password changed, or the user left (a team of)
   * the organization that owns the repository after the token was issued.
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
                       WHERE username = $2 AND namespace = split_part($3, '/', 1) AND revoked_at >= to_timestamp($4 / 1000.0)) AS left`,
      [grant.repositoryId, username ?? '', grant.repository, grant.issuedAt],
    );
    if (rows[0].deleted) return true;
    return username !== null && ((rows[0].version ?? 1) !== grant.credentialsVersion || rows[0].left);
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

/** The events `revoke` acts on; every other one only moves the checkpoint. */
const REVOKING = new Set<string>([
  ORGANIZATION_EVENTS.MemberRemoved,
  ORGANIZATION_EVENTS.TeamMemberRemoved,
  ORGANIZATION_EVENTS.TeamRemoved,
  REPOSITORIES_EVENTS.RepositoryDeleted,
  ACCOUNTS_EVENTS.PasswordChanged,
]);

async function revoke(client: PoolClient, event: PublishedEvent): Promise<void> {
  if (event.type === ORGANIZATION_EVENTS.MemberRemoved || event.type === ORGANIZATION_EVENTS.TeamMemberRemoved) {
    const data = event.data as unknown as OrganizationMemberRemovedV1 | TeamMemberV1;
    return revokeMembership(client, data.organization, [data.username]);
  }
  if (event.type === ORGANIZATION_EVENTS.TeamRemoved) {
    const data = event.data as unknown as TeamRemovedV1;
    return revokeMembership(client, data.organization, data.members);
  }
  if (event.type === REPOSITORIES_EVENTS.RepositoryDeleted) {
    await client.query('INSERT INTO tokens.deleted_repositories VALUES ($1) ON CONFLICT DO NOTHING', [
      (event.data as { repositoryId: string }).repositoryId,
    ]);
  } else if (event.type === ACCOUNTS_EVENTS.PasswordChanged) {
    const data = event.data as { username: string; credentialsVersion: number };
    await client.query(
      `INSERT INTO tokens.user_credentials VALUES ($1, $2) ON CONFLICT (username)
       DO UPDATE SET credentials_version = GREATEST(tokens.user_credentials.credentials_version, excluded.credentials_version)`,
      [data.username, data.credentialsVersion],
    );
  }
}
