import { PoolClient } from 'pg';
import { AuditEntry } from '@dockyard/contracts';
import { nextFeedHash } from '@dockyard/eventstore';

/** An entry before the feed numbers it, with the columns it is found by. */
export interface NewAuditEntry extends Omit<AuditEntry, 'cursor'> {
  /** The account the entry is about (user history). */
  username: string | null;
  /** `<namespace>/<imageId>` of an image's events: linked to the repositories that list it. */
  imageRef: string | null;
  activityId: string | null;
}

/**
 * Appends one entry to the audit feed in the caller's transaction and returns its position. The
 * position and the running hash come from the one `audit_feed_head` row, locked until the caller
 * commits: positions are gap-free (a rolled-back entry gives its number back) and become visible
 * in order, so a reader resuming from a cursor never skips an entry that commits later.
 */
export async function appendAuditEntry(client: PoolClient, entry: NewAuditEntry): Promise<string> {
  const head = await client.query<{ seq: string; feed_hash: string }>(
    'UPDATE read.audit_feed_head SET seq = seq + 1 WHERE id = 1 RETURNING seq::text AS seq, feed_hash',
  );
  const { seq, feed_hash: previous } = head.rows[0];
  const { username, imageRef, activityId, ...served } = entry;
  const feedHash = nextFeedHash(previous, { cursor: seq, ...served });
  await client.query(
    `INSERT INTO read.audit_entries (seq, time, type, actor, source_ip, user_agent, request_id, repository_id, service, stream,
       version, data, hash, prev_hash, username, image_ref, activity_id, feed_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      seq,
      served.time,
      served.type,
      served.actor,
      served.source_ip,
      served.user_agent,
      served.request_id,
      served.repository_id,
      served.service,
      served.stream,
      served.version,
      served.data,
      served.hash,
      served.prev_hash,
      username,
      imageRef,
      activityId,
      feedHash,
    ],
  );
  await client.query('UPDATE read.audit_feed_head SET feed_hash = $1 WHERE id = 1', [feedHash]);
  return seq;
}

/** Lists the entry under the repository name(s) of `repositoryId`, once its name is known. */
export async function linkToRepository(client: PoolClient, seq: string, repositoryId: string): Promise<void> {
  await client.query(
    `INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT repository, $2 FROM read.audit_repositories WHERE repository_id = $1 AND repository IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [repositoryId, seq],
  );
}
