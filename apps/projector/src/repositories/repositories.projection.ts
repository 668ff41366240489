import { PoolClient } from 'pg';
import {
  PublishedEvent,
  REPOSITORIES_EVENTS,
  RepositoryCreatedV1,
  RepositoryDeletedV1,
  RepositoryUpdatedV1,
} from '@dockyard/contracts';

const COLUMNS: Record<string, string> = {
  description: 'description',
  fullDescription: 'full_description',
  isPublic: 'is_public',
  logo: 'logo',
};

/** Folds repositories events into read.repositories; a deletion also clears images and tags. */
export async function projectRepository(client: PoolClient, event: PublishedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case REPOSITORIES_EVENTS.RepositoryCreated: {
      const d = event.data as unknown as RepositoryCreatedV1;
      await client.query(
        `INSERT INTO read.repositories (repository_id, namespace, name, kind, created_by, description, full_description,
           is_public, logo, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
        [d.repositoryId, d.namespace, d.name, d.kind, d.createdBy, d.description, d.fullDescription, d.isPublic, d.logo, at],
      );
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryUpdated: {
      const d = event.data as unknown as RepositoryUpdatedV1;
      const entries = Object.entries(d.changes).filter(([key]) => key in COLUMNS);
      if (entries.length === 0) return;
      const sets = entries.map(([key], i) => `${COLUMNS[key]} = $${i + 3}`);
      await client.query(`UPDATE read.repositories SET updated_at = $2, ${sets.join(', ')} WHERE repository_id = $1`, [
        d.repositoryId,
        at,
        ...entries.map(([, value]) => value),
      ]);
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryDeleted: {
      const d = event.data as unknown as RepositoryDeletedV1;
      await client.query(`INSERT INTO read.deleted_repositories VALUES ($1, $2) ON CONFLICT DO NOTHING`, [d.repositoryId, at]);
      await client.query(`DELETE FROM read.repositories WHERE repository_id = $1`, [d.repositoryId]);
      await client.query(`DELETE FROM read.repository_images WHERE repository_id = $1`, [d.repositoryId]);
      await client.query(`DELETE FROM read.tags WHERE repository_id = $1`, [d.repositoryId]);
      return;
    }
    default:
      return;
  }
}
