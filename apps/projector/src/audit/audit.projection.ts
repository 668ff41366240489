import { PoolClient } from 'pg';
import {
  IMAGES_EVENTS,
  ImagesAddedV1,
  PublishedEvent,
  REPOSITORIES_EVENTS,
  RepositoryCreatedV1,
  RepositoryUpdatedV1,
  TagDeletedV1,
  TagSetV1,
  sourceOfEvent,
} from '@dockyard/contracts';
import { NewAuditEntry, appendAuditEntry, linkToRepository } from './audit-feed';

const isoTime = (value: string): string => new Date(value).toISOString();

/**
 * The audit projection: every published event of every service becomes one entry of the feed,
 * copied as published (data, hash, prev_hash: never a secret, which no event publishes), with the
 * request's origin from its metadata. Run once per stream version by its StreamConsumer, in the
 * transaction that moves its checkpoint.
 *
 * Entries are listed under a repository name by its id (repositories, images and tokens events)
 * or, for an image's own events (json, layer, checksum), by the repositories of its namespace that
 * list the image; whichever arrives first, the links are made when the other does. Changes carry the
 * value they replaced in `data.before` (metadata changed, tag moved or deleted), kept per repository.
 */
export async function projectAudit(client: PoolClient, event: PublishedEvent): Promise<void> {
  const entry = auditEntryOf(event);
  const data = event.data as Record<string, unknown>;
  const before = entry.repository_id ? await valuesReplaced(client, event, entry.repository_id) : undefined;
  if (before !== undefined) entry.data = { ...data, before };
  const seq = await appendAuditEntry(client, entry);
  if (entry.repository_id) await trackRepository(client, event, entry.repository_id, seq);
  if (entry.imageRef) await linkImageEntry(client, seq, data.namespace as string, data.imageId as string);
}

/** The entry an event becomes, as published: its data, hashes and the request's origin. */
export function auditEntryOf(event: PublishedEvent): NewAuditEntry {
  const data = event.data as Record<string, unknown>;
  const imageRef = sourceOfEvent(event.type) === 'images' && typeof data.namespace === 'string' && typeof data.imageId === 'string'
    ? `${data.namespace}/${data.imageId}`
    : null;
  return {
    time: isoTime(event.metadata.occurredAt),
    type: event.type,
    actor: event.metadata.actor ?? null,
    source_ip: event.metadata.sourceIp ?? null,
    user_agent: event.metadata.userAgent ?? null,
    request_id: event.metadata.requestId ?? null,
    repository_id: typeof data.repositoryId === 'string' ? data.repositoryId : null,
    service: event.source,
    stream: event.streamId,
    version: event.streamVersion,
    data,
    hash: event.hash,
    prev_hash: event.prevHash,
    username: event.source === 'accounts' && typeof data.username === 'string' ? data.username : null,
    imageRef,
    activityId: null,
  };
}

/** `data.before` of a change: the metadata values or the tag's image it replaced (null: none). */
async function valuesReplaced(client: PoolClient, event: PublishedEvent, repositoryId: string): Promise<Record<string, unknown> | undefined> {
  const known = async () =>
    (await client.query<{ metadata: Record<string, unknown> | null; tags: Record<string, string> }>(
      'SELECT metadata, tags FROM read.audit_repositories WHERE repository_id = $1',
      [repositoryId],
    )).rows[0];
  switch (event.type) {
    case REPOSITORIES_EVENTS.RepositoryUpdated: {
      const metadata = (await known())?.metadata ?? {};
      const changes = (event.data as unknown as RepositoryUpdatedV1).changes ?? {};
      return Object.fromEntries(Object.keys(changes).map((key) => [key, Object.hasOwn(metadata, key) ? metadata[key] : null]));
    }
    case IMAGES_EVENTS.TagSet:
    case IMAGES_EVENTS.TagDeleted: {
      const tag = (event.data as unknown as TagDeletedV1).tag;
      const tags = (await known())?.tags ?? {};
      // Own keys only: `constructor` is a valid tag name, and must not find Object's.
      return { imageId: Object.hasOwn(tags, tag) ? tags[tag] : null };
    }
    default:
      return undefined;
  }
}

/**
 * Lists entry `seq` under the repository's name if it is known, and keeps what later entries of the
 * repository are linked and enriched by.
 */
async function trackRepository(client: PoolClient, event: PublishedEvent, repositoryId: string, seq: string): Promise<void> {
  // Images events may arrive before the repository's creation (another topic): the row is made by
  // whichever comes first. A row made here has no name yet, so there is nothing to link it under;
  // the creation, which names it, links every entry of the repository so far (linkLife), this one too.
  await linkToRepository(client, seq, repositoryId);
  const update = (set: string, values: unknown[]) =>
    client.query(`UPDATE read.audit_repositories AS r SET ${set} WHERE repository_id = $1`, [repositoryId, ...values]);
  switch (event.type) {
    case REPOSITORIES_EVENTS.RepositoryCreated: {
      const data = event.data as unknown as RepositoryCreatedV1;
      const name = `${data.namespace}/${data.name}`;
      const metadata = { description: data.description, fullDescription: data.fullDescription, isPublic: data.isPublic, logo: data.logo };
      await update('repository = $2, metadata = $3, created_at = $4', [name, metadata, event.metadata.occurredAt]);
      await linkLife(client, repositoryId, data.namespace, name);
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryUpdated: {
      const changes = (event.data as unknown as RepositoryUpdatedV1).changes ?? {};
      await update(`metadata = COALESCE(r.metadata, '{}'::jsonb) || $2::jsonb`, [changes]);
      return;
    }
    case REPOSITORIES_EVENTS.RepositoryDeleted:
      await update('deleted = true', []);
      return;
    case IMAGES_EVENTS.TagSet: {
      const data = event.data as unknown as TagSetV1;
      await update(`tags = r.tags || jsonb_build_object($2::text, $3::text)`, [data.tag, data.imageId]);
      return;
    }
    case IMAGES_EVENTS.TagDeleted:
      await update('tags = r.tags - $2::text', [(event.data as unknown as TagDeletedV1).tag]);
      return;
    case IMAGES_EVENTS.ImagesAdded: {
      const ids = (event.data as unknown as ImagesAddedV1).images.map((image) => image.id);
      await client.query(
        `INSERT INTO read.audit_repository_images (repository_id, image_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [repositoryId, ids],
      );
      // The images' own entries that arrived before: listed under the repository's name now. The
      // refs as one array (`= ANY`) keep this an index lookup whatever the planner estimates for
      // unnest; as a join, a prepared plan chose to scan the whole feed while it was small.
      await client.query(
        `INSERT INTO read.audit_repository_entries (repository, seq)
         SELECT r.repository, e.seq FROM read.audit_repositories r
         JOIN read.audit_entries e ON e.image_ref = ANY (ARRAY(
           SELECT scope || '/' || id FROM unnest($2::text[]) AS id, unnest(ARRAY[split_part(r.repository, '/', 1), r.repository]) AS scope))
         WHERE r.repository_id = $1 AND r.repository IS NOT NULL
         ON CONFLICT DO NOTHING`,
        [repositoryId, ids],
      );
      return;
    }
    default:
      return;
  }
}

/**
 * A life of a name begins (`RepositoryCreated`): the entries of that repository id that arrived
 * before it (another topic's) and its images' entries are listed under the name now.
 */
async function linkLife(client: PoolClient, repositoryId: string, namespace: string, name: string): Promise<void> {
  await client.query(
    `INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT $2, seq FROM read.audit_entries WHERE repository_id = $1 ON CONFLICT DO NOTHING`,
    [repositoryId, name],
  );
  await client.query(
    `INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT $2, e.seq FROM read.audit_repository_images i
       JOIN read.audit_entries e ON e.image_ref IN ($3 || '/' || i.image_id, $2 || '/' || i.image_id)
     WHERE i.repository_id = $1 ON CONFLICT DO NOTHING`,
    [repositoryId, name, namespace],
  );
}

/**
 * An image's own event: listed under every repository of its namespace that lists the image, or for
 * an organization's copy (`org/name`) under that repository.
 */
async function linkImageEntry(client: PoolClient, seq: string, namespace: string, imageId: string): Promise<void> {
  await client.query(
    `INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT r.repository, $1 FROM read.audit_repository_images i JOIN read.audit_repositories r USING (repository_id)
     WHERE i.image_id = $3 AND (split_part(r.repository, '/', 1) = $2 OR r.repository = $2)
     ON CONFLICT DO NOTHING`,
    [seq, namespace, imageId],
  );
}
