import { Pool } from 'pg';
import { DomainError, PublishedEvent, REPOSITORIES_EVENTS } from '@dockyard/contracts';
import { applyOnce } from '@dockyard/eventstore';

const CONSUMER = 'known-repositories';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** images.known_repositories, kept from the repositories' events. */
export class KnownRepositories {
  constructor(
    private readonly pool: Pool,
    private readonly waitMs: number,
  ) {}

  apply(event: PublishedEvent): Promise<boolean> {
    return applyOnce(this.pool, 'images', CONSUMER, event, async (client) => {
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
    });
  }

  /**
   * Rejects work on a repository that does not exist or was deleted. A repository created a moment
   * ago may not have reached this service yet, so an unknown id is awaited briefly before the answer.
   */
  async assertLive(repositoryId: string): Promise<void> {
    if (typeof repositoryId !== 'string' || !UUID.test(repositoryId)) throw new DomainError('not-found', 'Repository not found');
    const deadline = Date.now() + this.waitMs;
    let delay = 2;
    for (;;) {
      const { rows } = await this.pool.query('SELECT deleted FROM images.known_repositories WHERE repository_id = $1', [
        repositoryId,
      ]);
      if (rows[0]?.deleted) throw new DomainError('not-found', 'Repository not found');
      if (rows[0]) return;
      if (Date.now() > deadline) throw new DomainError('not-found', 'Repository not found');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 50);
    }
  }
}
