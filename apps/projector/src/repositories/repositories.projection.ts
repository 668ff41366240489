import { PoolClient } from 'pg';
import {
  PublishedEvent,
  REPOSITORIES_EVENTS,
  RepositoryCreatedV1,
  RepositoryDeletedV1,
  RepositoryStarV1,
  RepositoryUpdatedV1,
} from '@dockyard/contracts';
import { placeLife } from './repository-lives';

const COLUMNS: Record<string, string> = {
  description: 'description',
  fullDescription: 'full_description',
  isPublic: 'is_public',
  logo: 'logo',
};

/**
 * A life that is over (deleted, or superseded by a newer life of its name): its tombstone, so its
 * images events arriving later are dropped, and none of its rows.
 */
async function bury(client: PoolClient, repositoryId: string, at: string): Promise<void> {
  // The earliest end known, whatever order the deletion and a newer life's creation arrive in.
  await client.query(
    `INSERT INTO deleted_repositories VALUES ($1, $2)
     ON CONFLICT (repository_id) DO UPDATE SET deleted_at = LEAST(deleted_repositories.deleted_at, excluded.deleted_at)`, [
    repositoryId,
    at,
  ]);
  await client.query(`DELETE FROM repositories WHERE repository_id = $1`, [repositoryId]);
  await client.query(`DELETE FROM repository_images WHERE repository_id = $1`, [repositoryId]);
  await client.query(`DELETE FROM tags WHERE repository_id = $1`, [repositoryId]);
  await client.query(`DELETE FROM stars WHERE repository_id = $1`, [repositoryId]);
}

/**
 * A star counts only on a live repository: one that arrives after its repository's deletion (its
 * own stream, so maybe another partition) finds no row and leaves nothing behind.
 */
async function star(client: PoolClient, d: RepositoryStarV1, at: string): Promise<void> {
  const added = await client.query(
    `INSERT INTO stars (username, repository_id, starred_at)
     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM repositories WHERE repository_id = $2)
     ON CONFLICT DO NOTHING`,
    [d.username, d.repositoryId, at],
  );
  if (added.rowCount) await client.query('UPDATE repositories SET star_count = star_count + 1 WHERE repository_id = $1', [d.repositoryId]);
}

async function unstar(client: PoolClient, d: RepositoryStarV1): Promise<void> {
  const removed = await client.query('DELETE FROM stars WHERE username = $1 AND repository_id = $2', [d.username, d.repositoryId]);
  if (removed.rowCount) await client.query('UPDATE repositories SET star_count = star_count - 1 WHERE repository_id = $1', [d.repositoryId]);
}

/**
 * Folds repositories events into read.repositories and read.stars; a deletion also clears images, tags and stars. A name
 * shows its newest life whatever order the events of its lives arrive in (repository-lives.ts).
 */
export async function projectRepository(client: PoolClient, event: PublishedEvent): Promise<void> {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case REPOSITORIES_EVENTS.RepositoryCreated: {
      const d = event.data as unknown as RepositoryCreatedV1;
      const arriving = { repositoryId: d.repositoryId, createdPosition: BigInt(event.position) };
      const deleted = await client.query('SELECT 1 FROM deleted_repositories WHERE repository_id = $1', [
        d.repositoryId,
      ]);
      // The name's newest life, locked: lives of one name arriving on two partitions serialise here.
      await client.query(
        `INSERT INTO repository_names (namespace, name, repository_id, created_position) VALUES ($1, $2, $3, $4)
         ON CONFLICT (namespace, name) DO NOTHING`,
        [d.namespace, d.name, d.repositoryId, arriving.createdPosition.toString()],
      );
      const { rows } = await client.query(
        'SELECT repository_id, created_position FROM repository_names WHERE namespace = $1 AND name = $2 FOR UPDATE',
        [d.namespace, d.name],
      );
      const newest = {
        repositoryId: rows[0].repository_id,
        createdPosition: BigInt(rows[0].created_position),
      };
      const placement = placeLife(newest, arriving, (deleted.rowCount ?? 0) > 0);
      if (placement.kind !== 'live') {
        // Dead already: a newer life took the name (or its deletion came first). Images rows of it
        // that arrived before are dropped, and later ones will be (tombstone). It ended no later
        // than its successor began (its own creation time would be an end earlier than its
        // deletion's, kept by LEAST: the tombstone would depend on arrival order, and a rebuild,
        // folding in another order, would differ from the live model).
        const successor = await client.query<{ created_at: Date }>('SELECT created_at FROM repositories WHERE repository_id = $1', [
          newest.repositoryId,
        ]);
        // Its deletion came first: that end stands ('infinity' never wins LEAST).
        const end = successor.rows[0]?.created_at.toISOString() ?? ((deleted.rowCount ?? 0) > 0 ? 'infinity' : at);
        await bury(client, d.repositoryId, end);
        return;
      }
      if (placement.evict) await bury(client, placement.evict, at);
      await client.query(
        'UPDATE repository_names SET repository_id = $3, created_position = $4 WHERE namespace = $1 AND name = $2',
        [d.namespace, d.name, d.repositoryId, arriving.createdPosition.toString()],
      );
      await client.query(
        `INSERT INTO repositories (repository_id, namespace, name, kind, created_by, description, full_description,
           is_public, logo, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (repository_id) DO NOTHING`,
        [
          d.repositoryId,
          d.namespace,
          d.name,
          d.kind,
          d.createdBy,
          d.description,
          d.fullDescription,
          d.isPublic,
          d.logo,
          at,
        ],
      );
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryUpdated: {
      const d = event.data as unknown as RepositoryUpdatedV1;
      const entries = Object.entries(d.changes).filter(([key]) => key in COLUMNS);
      if (entries.length === 0) return;
      const sets = entries.map(([key], i) => `${COLUMNS[key]} = $${i + 3}`);
      await client.query(
        `UPDATE repositories SET updated_at = $2, ${sets.join(', ')} WHERE repository_id = $1`,
        [d.repositoryId, at, ...entries.map(([, value]) => value)],
      );
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryDeleted: {
      const d = event.data as unknown as RepositoryDeletedV1;
      await bury(client, d.repositoryId, at);
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryStarred:
      return star(client, event.data as unknown as RepositoryStarV1, at);
    case REPOSITORIES_EVENTS.RepositoryUnstarred:
      return unstar(client, event.data as unknown as RepositoryStarV1);
    default:
      return;
  }
}
