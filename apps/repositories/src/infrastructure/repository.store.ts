import { Pool } from 'pg';
import { DomainError, MessageMetadata, WrittenStream, repositoryStreamId } from '@dockyard/contracts';
import { EventStore, appendClaiming } from '@dockyard/eventstore';
import { RepositoryEvent, RepositoryName, RepositoryState, foldRepository } from '../domain/repository';

export const REPOSITORIES_SCHEMA = 'repositories';

export interface LoadedRepository {
  state: RepositoryState;
  version: number;
}

/** Repository aggregates in their streams, found by name through `name_claims`. */
export class RepositoryStore {
  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
  ) {}

  async idOf(name: RepositoryName): Promise<string | undefined> {
    const { rows } = await this.pool.query('SELECT repository_id FROM repositories.name_claims WHERE full_name = $1', [
      name.fullName,
    ]);
    return rows[0]?.repository_id;
  }

  async load(repositoryId: string | undefined): Promise<LoadedRepository> {
    const stored = repositoryId ? await this.store.readStream(repositoryStreamId(repositoryId)) : [];
    return {
      state: foldRepository(stored.map((e) => ({ type: e.type, data: e.data }) as unknown as RepositoryEvent)),
      version: stored.length === 0 ? 0 : stored[stored.length - 1].streamVersion,
    };
  }

  async loadByName(name: RepositoryName): Promise<LoadedRepository> {
    return this.load(await this.idOf(name));
  }

  /**
   * Appends and keeps `name_claims` in step in the same transaction: a creation claims the name
   * (a second claim fails as `already-exists`), a deletion frees it.
   */
  append(repositoryId: string, expectedVersion: number, events: RepositoryEvent[], metadata: MessageMetadata): Promise<WrittenStream> {
    return appendClaiming(
      this.store,
      'repositories',
      { streamId: repositoryStreamId(repositoryId), expectedVersion },
      events.map((e) => ({ type: e.type, data: { ...e.data } })),
      metadata,
      {
        write: async (client) => {
          for (const event of events) {
            const fullName = `${event.data.namespace}/${event.data.name}`;
            if (event.type === 'RepositoryCreated') {
              await client.query('INSERT INTO repositories.name_claims (full_name, repository_id) VALUES ($1, $2)', [
                fullName,
                repositoryId,
              ]);
            } else if (event.type === 'RepositoryDeleted') {
              await client.query('DELETE FROM repositories.name_claims WHERE repository_id = $1', [repositoryId]);
            }
          }
        },
        taken: () => new DomainError('already-exists', 'Repository already exists'),
      },
    );
  }
}
