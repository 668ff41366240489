import { Pool, PoolClient } from 'pg';
import {
  DomainError,
  PublishedEvent,
  READ_STREAM_MAX_EVENTS,
  REPOSITORIES_EVENTS,
  RetryParkedCommand,
  ServiceName,
  repositoryStreamId,
} from '@dockyard/contracts';
import { DeliveryOutcome, RetryReport, StreamConsumer, StreamConsumerOptions, StreamReader } from '@dockyard/eventstore';

const CONSUMER = 'known-repositories';
const OWNER: ServiceName = 'repositories';
/** How long an unknown repository is awaited from the events before it is asked of its owner. */
const ASK_OWNER_AFTER_MS = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * images.known_repositories, kept from the repositories' events, per stream in order
 * (StreamConsumer): a gap is repaired from the repositories service (`readStream`), an event that
 * keeps failing is parked in images.parked_events (retried by `images.retry-parked`). Keyed by
 * repository id, so the lives of one name never collide here.
 */
export class KnownRepositories {
  private readonly consumer: StreamConsumer;
  private readonly readStream?: StreamReader;
  /** assertLive calls waiting for a repository this replica has not heard of yet, by repository id. */
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(
    private readonly pool: Pool,
    private readonly waitMs: number,
    options: Pick<StreamConsumerOptions, 'readStream' | 'logger' | 'maxAttempts' | 'backoffMs'> = {},
  ) {
    this.readStream = options.readStream;
    this.consumer = new StreamConsumer({
      pool,
      schema: 'images',
      consumer: CONSUMER,
      effect: know,
      passesOver: (event) => !KNOWING.has(event.type),
      ...options,
    });
  }

  async apply(event: PublishedEvent): Promise<DeliveryOutcome> {
    const outcome = await this.consumer.handle(event);
    this.wake(event);
    return outcome;
  }

  retryParked(command: RetryParkedCommand = {}): Promise<RetryReport> {
    return this.consumer.retryParked({ streamId: command.streamId });
  }

  /**
   * Rejects work on a repository that does not exist or was deleted. A repository created a moment
   * ago may not have reached this service yet (its consumer lags: this service just restarted, or
   * the broker did): an unknown id is awaited briefly, then its stream is read from the
   * repositories service and applied here, so a push never fails on a lagging consumer. The owner
   * unreachable: `unavailable`, never a wrong "not found".
   */
  async assertLive(repositoryId: string): Promise<void> {
    if (typeof repositoryId !== 'string' || !UUID.test(repositoryId))
      throw new DomainError('not-found', 'Repository not found');
    const started = Date.now();
    const deadline = started + this.waitMs;
    let askedOwner = false;
    let delay = 2;
    for (;;) {
      const { rows } = await this.pool.query(
        'SELECT deleted FROM images.known_repositories WHERE repository_id = $1',
        [repositoryId],
      );
      if (rows[0]?.deleted) throw new DomainError('not-found', 'Repository not found');
      if (rows[0]) return;
      if (!askedOwner && this.readStream && Date.now() - started >= ASK_OWNER_AFTER_MS) {
        askedOwner = true;
        if (!(await this.catchUpFromOwner(repositoryId))) throw new DomainError('not-found', 'Repository not found');
        continue;
      }
      if (Date.now() > deadline) throw new DomainError('not-found', 'Repository not found');
      await this.heardOrAfter(repositoryId, delay);
      delay = Math.min(delay * 2, 50);
    }
  }

  /**
   * Waits until this replica has applied an event of the repository, or `ms` at most. A push's
   * index command usually arrives before the repository's creation does, by the time the event takes
   * through relay and broker: looking again the moment it lands, rather than at the next backoff
   * step, is most of a push's wait here. The event may reach another replica of this service
   * instead (its partition is not the command's): the backoff is the fallback for that.
   */
  private heardOrAfter(repositoryId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(repositoryId) ?? new Set<() => void>();
      this.waiting.set(repositoryId, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiting.get(repositoryId) === waiters) this.waiting.delete(repositoryId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  private wake(event: PublishedEvent): void {
    const repositoryId = (event.data as { repositoryId?: unknown } | undefined)?.repositoryId;
    if (typeof repositoryId !== 'string') return;
    for (const done of [...(this.waiting.get(repositoryId) ?? [])]) done();
  }

  /** Applies the repository's stream as its owner has it; false when the owner has no such repository. */
  private async catchUpFromOwner(repositoryId: string): Promise<boolean> {
    const events = await this.readStream!(OWNER, repositoryStreamId(repositoryId), 1, READ_STREAM_MAX_EVENTS);
    for (const event of events) await this.consumer.handle(event);
    return events.length > 0;
  }
}

/** The events `know` acts on; every other one is passed over (only its checkpoint moves). */
const KNOWING = new Set<string>([REPOSITORIES_EVENTS.RepositoryCreated, REPOSITORIES_EVENTS.RepositoryDeleted]);

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
