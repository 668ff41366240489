import { Pool, PoolClient } from 'pg';
import {
  ACCOUNTS_EVENTS,
  PublishedEvent,
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
      ...options,
    });
  }

  apply(event: PublishedEvent): Promise<DeliveryOutcome> {
    return this.consumer.handle(event);
  }

  retryParked(command: RetryParkedCommand = {}): Promise<RetryReport> {
    return this.consumer.retryParked({ streamId: command.streamId });
  }

  /** True when the repository was deleted or the user's password changed since the token was issued. */
  async voids(
    repositoryId: string,
    username: string | null,
    credentialsVersion: number | null,
  ): Promise<boolean> {
    const { rows } = await this.pool.query(
      `SELECT EXISTS (SELECT 1 FROM tokens.deleted_repositories WHERE repository_id = $1) AS deleted,
              (SELECT credentials_version FROM tokens.user_credentials WHERE username = $2) AS version`,
      [repositoryId, username ?? ''],
    );
    if (rows[0].deleted) return true;
    return username !== null && (rows[0].version ?? 1) !== credentialsVersion;
  }
}

async function revoke(client: PoolClient, event: PublishedEvent): Promise<void> {
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
