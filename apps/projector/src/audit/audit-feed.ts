import { PoolClient } from 'pg';
import { AuditEntry } from '@dockyard/contracts';
import { nextFeedHash } from '@dockyard/eventstore';
import { mapInSlices } from '../event-loop-slices';

/** An entry before the feed numbers it, with the columns it is found by. */
export interface NewAuditEntry extends Omit<AuditEntry, 'cursor'> {
  /** The account the entry is about (user history). */
  username: string | null;
  /** `<namespace>/<imageId>` of an image's events: linked to the repositories that list it. */
  imageRef: string | null;
  activityId: string | null;
}

const COLUMNS = [
  'seq', 'time', 'type', 'actor', 'source_ip', 'user_agent', 'request_id', 'repository_id', 'service', 'stream',
  'version', 'data', 'hash', 'prev_hash', 'username', 'image_ref', 'activity_id', 'feed_hash',
] as const;
const COLUMN_TYPES: Record<(typeof COLUMNS)[number], string> = {
  seq: 'bigint', time: 'timestamptz', type: 'text', actor: 'text', source_ip: 'text', user_agent: 'text',
  request_id: 'text', repository_id: 'text', service: 'text', stream: 'text', version: 'integer', data: 'jsonb',
  hash: 'text', prev_hash: 'text', username: 'text', image_ref: 'text', activity_id: 'text', feed_hash: 'text',
};
/** Column `c` of a row of the JSON parameter (an array of arrays): `data` is JSON already, the rest are cast from text. */
const FROM_ROW = COLUMNS.map((column, c) => (column === 'data' ? `r->${c}` : `(r->>${c})::${COLUMN_TYPES[column]}`)).join(', ');

/**
 * Appends one entry to the audit feed in the caller's transaction and returns its position. The
 * position and the running hash come from the one `audit_feed_head` row, locked until the caller
 * commits: positions are gap-free (a rolled-back entry gives its number back) and become visible
 * in order, so a reader resuming from a cursor never skips an entry that commits later.
 */
export async function appendAuditEntry(client: PoolClient, entry: NewAuditEntry): Promise<string> {
  const [seq] = await appendAuditEntries(client, [entry]);
  return seq;
}

/**
 * Appends entries in order, as `appendAuditEntry` one by one would, in two statements: the head
 * moves once by their number, the feed hashes are chained here, one INSERT writes them all. A
 * gateway's batch of pulls is then a few statements, not four per pull, under the feed's one lock.
 */
export async function appendAuditEntries(client: PoolClient, entries: NewAuditEntry[]): Promise<string[]> {
  if (entries.length === 0) return [];
  const head = await client.query<{ seq: string; feed_hash: string }>(
    'UPDATE read.audit_feed_head SET seq = seq + $1 WHERE id = 1 RETURNING seq::text AS seq, feed_hash',
    [entries.length],
  );
  const first = BigInt(head.rows[0].seq) - BigInt(entries.length) + 1n;
  let previous = head.rows[0].feed_hash;
  // Chained one after the other, in slices: a batch of pulls is hundreds of hashes.
  const rows = await mapInSlices(entries, (entry, index) => {
    const seq = String(first + BigInt(index));
    previous = nextFeedHash(previous, servedEntry(seq, entry));
    return [
      seq, entry.time, entry.type, entry.actor, entry.source_ip, entry.user_agent, entry.request_id,
      entry.repository_id, entry.service, entry.stream, entry.version, entry.data, entry.hash,
      entry.prev_hash, entry.username, entry.imageRef, entry.activityId, previous,
    ];
  });
  // The rows travel as one JSON parameter that JSON.stringify writes natively: pg would escape each
  // of the 18 values of every row in JavaScript for an array parameter per column. The statement is
  // the same whatever the batch's size, so PostgreSQL plans it once per session. The head's new hash
  // is written by the same statement (a data-modifying WITH runs to completion).
  await client.query({
    name: 'audit-append-entries',
    text: `WITH written AS (INSERT INTO read.audit_entries (${COLUMNS.join(', ')})
             SELECT ${FROM_ROW} FROM jsonb_array_elements($1::jsonb) AS r)
           UPDATE read.audit_feed_head SET feed_hash = $2 WHERE id = 1`,
    values: [JSON.stringify(rows), previous],
  });
  return rows.map((row) => row[0] as string);
}

/**
 * The entry as the audit API serves it, which the feed hash covers. Its keys are written in
 * canonical (sorted) order, so hashing it takes canonicalJson's one-pass path: the feed hashes
 * every pull.
 */
const servedEntry = (cursor: string, entry: NewAuditEntry): AuditEntry => ({
  actor: entry.actor,
  cursor,
  data: entry.data,
  hash: entry.hash,
  prev_hash: entry.prev_hash,
  repository_id: entry.repository_id,
  request_id: entry.request_id,
  service: entry.service,
  source_ip: entry.source_ip,
  stream: entry.stream,
  time: entry.time,
  type: entry.type,
  user_agent: entry.user_agent,
  version: entry.version,
});

/**
 * Lists the entry under the repository name of `repositoryId`, once its name is known, and makes
 * the repository's (nameless) row if there is none yet, in one statement.
 */
export async function linkToRepository(client: PoolClient, seq: string, repositoryId: string): Promise<void> {
  await client.query(
    `WITH tracked AS (INSERT INTO read.audit_repositories (repository_id) VALUES ($1) ON CONFLICT DO NOTHING)
     INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT repository, $2 FROM read.audit_repositories WHERE repository_id = $1 AND repository IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [repositoryId, seq],
  );
}

/** `linkToRepository` for many entries in one statement: `links` pairs an entry's position with its repository id. */
export async function linkAllToRepositories(client: PoolClient, links: { seq: string; repositoryId: string }[]): Promise<void> {
  if (links.length === 0) return;
  await client.query(
    `INSERT INTO read.audit_repository_entries (repository, seq)
     SELECT r.repository, l.seq FROM unnest($1::text[], $2::bigint[]) AS l(repository_id, seq)
       JOIN read.audit_repositories r ON r.repository_id = l.repository_id AND r.repository IS NOT NULL
     ON CONFLICT DO NOTHING`,
    [links.map((l) => l.repositoryId), links.map((l) => l.seq)],
  );
}
