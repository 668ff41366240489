import { Pool, PoolClient } from 'pg';
import { DomainError, PublishedEvent, REPOSITORIES_EVENTS, RetryParkedCommand } from '@dockyard/contracts';
import { DeliveryOutcome, RetryReport, StreamConsumer, StreamConsumerOptions } from '@dockyard/eventstore';

const CONSUMER = 'known-repositories';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * images.known_repositories, kept from the repositories' events, per stream in order
 * (StreamConsumer): a gap is repaired from the repositories service (`readStream`), an event that
 * keeps failing is parked in images.parked_events (retried by `images.retry-parked`). Keyed by
 * repository id, so the lives of one name never collide here.
 */
export class KnownRepositories {
  private readonly consumer: StreamConsumer;

  constructor(
    private readonly pool: Pool,
    private readonly waitMs: number,
    options: Pick<StreamConsumerOptions, 'readStream' | 'logger' | 'maxAttempts' | 'backoffMs'> = {},
  ) {
    this.consumer = new StreamConsumer({
      pool,
      schema: 'images',
      consumer: CONSUMER,
      effect: know,
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
   * Rejects work on a repository that does not exist or was deleted. A repository created a moment
   * ago may not have reached this service yet, so an unknown id is awaited briefly before the answer.
   */
  async assertLive(repositoryId: string): Promise<void> {
    if (typeof repositoryId !== 'string' || !UUID.test(repositoryId))
      throw new DomainError('not-found', 'Repository not found');
    const deadline = Date.now() + this.waitMs;
    let delay = 2;
    for (;;) {
      const { rows } = await this.pool.query(
        'SELECT deleted FROM images.known_repositories WHERE repository_id = $1',
        [repositoryId],
      );
      if (rows[0]?.deleted) throw new DomainError('not-found', 'Repository not found');
      if (rows[0]) return;
      if (Date.now() > deadline) throw new DomainError('not-found', 'Repository not found');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
}

async function know(client: PoolClient, event: PublishedEvent): Promise<void> {
  const data = event.data as { repositoryId: string; namespace: string; name: string };
  if (event.type === REPOSITORIES_EVENTS.RepositoryCreated) {
    await client.query(
      `INSERT INTO images.known_repositories (repository_id, full_name) VALUES ($1, $2)
       ON CONFLICT (repository_id) DO NOTHING`,
      [data.repositoryId, `${data.namespace}/${data.name}`],
    );
  } else if (event.type === REPOSITORIES_EVENTS.RepositoryDeleted) {
    await client.query(
      `INSERT INTO images.known_repositories (repository_id, full_name, deleted) VALUES ($1, $2, true)
       ON CONFLICT (repository_id) DO UPDATE SET deleted = true`,
      [data.repositoryId, `${data.namespace}/${data.name}`],
    );
  }
}
