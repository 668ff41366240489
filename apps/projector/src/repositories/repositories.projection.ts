import { PoolClient } from 'pg';
import {
  PublishedEvent,
  REPOSITORIES_EVENTS,
  RepositoryCreatedV1,
  RepositoryDeletedV1,
  RepositoryStarV1,
  RepositoryUpdatedV1,
} from '@dockyard/contracts';
import { BatchFolds } from '../batch-fold';
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
 * A star, unless its repository is buried: its own stream (another partition) may arrive before its
 * repository's creation, which then counts it, or after its deletion, and leaves nothing behind.
 * Checking for the repository row instead lost every star projected before its creation.
 */
async function star(client: PoolClient, d: RepositoryStarV1, at: string): Promise<void> {
  const added = await client.query(
    `INSERT INTO stars (username, repository_id, starred_at)
     SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM deleted_repositories WHERE repository_id = $2)
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
      // Stars of it that arrived first count from now on.
      await client.query(
        `INSERT INTO repositories (repository_id, namespace, name, kind, created_by, description, full_description,
           is_public, logo, created_at, updated_at, star_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, (SELECT count(*) FROM stars WHERE repository_id = $1))
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

/**
 * The rebuild's fold of many repositories' creations at once (BatchFold), for the common case only:
 * a name no life holds yet, in no other creation of the batch, of a repository not deleted already.
 * There `projectRepository` claims the name and inserts the row, which two statements do for all.
 * Every other creation (a name's second life, one whose deletion came first) goes through
 * `projectRepository` itself, one by one.
 */
export const REPOSITORY_BATCH_FOLDS: BatchFolds = {
  [REPOSITORIES_EVENTS.RepositoryCreated]: async (client, events) => {
    const created = events.map((event) => ({ event, d: event.data as unknown as RepositoryCreatedV1 }));
    const nameOf = ({ d }: { d: RepositoryCreatedV1 }) => `${d.namespace}/${d.name}`;
    const [taken, deleted] = await Promise.all([
      client.query<{ namespace: string; name: string }>(
        'SELECT namespace, name FROM repository_names WHERE (namespace, name) IN (SELECT * FROM unnest($1::text[], $2::text[]))',
        [created.map(({ d }) => d.namespace), created.map(({ d }) => d.name)],
      ),
      client.query<{ repository_id: string }>(
        'SELECT repository_id FROM deleted_repositories WHERE repository_id = ANY($1::uuid[])',
        [created.map(({ d }) => d.repositoryId)],
      ),
    ]);
    const busy = new Set(taken.rows.map((row) => `${row.namespace}/${row.name}`));
    const dead = new Set(deleted.rows.map((row) => row.repository_id));
    const claims = new Map<string, number>();
    for (const creation of created) claims.set(nameOf(creation), (claims.get(nameOf(creation)) ?? 0) + 1);
    const simple = created.filter(
      (c) => !busy.has(nameOf(c)) && !dead.has(c.d.repositoryId) && claims.get(nameOf(c)) === 1,
    );
    const column = <T>(pick: (c: (typeof created)[number]) => T) => simple.map(pick);
    await client.query(
      `INSERT INTO repository_names (namespace, name, repository_id, created_position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::bigint[])`,
      [
        column((c) => c.d.namespace),
        column((c) => c.d.name),
        column((c) => c.d.repositoryId),
        column((c) => c.event.position),
      ],
    );
    await client.query(
      `INSERT INTO repositories (repository_id, namespace, name, kind, created_by, description, full_description,
         is_public, logo, created_at, updated_at, star_count)
       SELECT r.*, r.created_at, (SELECT count(*) FROM stars s WHERE s.repository_id = r.repository_id) FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::boolean[], $9::text[], $10::timestamptz[]) AS r(repository_id, namespace, name, kind, created_by, description,
         full_description, is_public, logo, created_at)
       ON CONFLICT (repository_id) DO NOTHING`,
      [
        column((c) => c.d.repositoryId),
        column((c) => c.d.namespace),
        column((c) => c.d.name),
        column((c) => c.d.kind),
        column((c) => c.d.createdBy),
        column((c) => c.d.description),
        column((c) => c.d.fullDescription),
        column((c) => c.d.isPublic),
        column((c) => c.d.logo),
        column((c) => c.event.metadata.occurredAt),
      ],
    );
    for (const creation of created)
      if (!simple.includes(creation)) await projectRepository(client, creation.event);
  },
};
