import { PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';

/**
 * The channel on which the projector announces what its read models changed, for the gateways'
 * hot views and read-your-writes waits (`apps/gateway/src/hot/`). NOTIFY is per database and is
 * delivered at commit, in commit order, to every listening session: a notification is never seen
 * before the rows it names, and a rolled-back change announces nothing.
 */
export const READ_MODEL_CHANGES_CHANNEL = 'dockyard_read_model_changes';

/** PostgreSQL refuses payloads of 8000 bytes or more; above this a change names no subjects. */
const MAX_PAYLOAD = 7900;

/**
 * The identifiers an event's data may carry that name read-model rows (a repository, a namespace
 * and name, an image, a user). A consumer of the notifications decides which of its cached rows a
 * change touches from these, the consumer and the stream id.
 */
const SUBJECT_FIELDS = ['repositoryId', 'namespace', 'name', 'imageId', 'username'] as const;
export type ChangeSubjects = Partial<Record<(typeof SUBJECT_FIELDS)[number], string>>;

export type ReadModelChange =
  /**
   * A consumer applied `streamVersion` of `streamId` (its checkpoint moved in that transaction).
   * `subjects` null: too large to name, the listener must assume anything of that consumer changed.
   */
  | { kind: 'applied'; consumer: string; streamId: string; streamVersion: number; subjects: ChangeSubjects | null }
  /** A repository's activity counters moved (no stream version: they come from the activity topic). */
  | { kind: 'counters'; repositoryId: string; downloadCount: number; uploadCount: number; pulledAt: string | null; pushedAt: string | null }
  /** Whole tables were replaced (a rebuild's swap): nothing cached from the read models holds. */
  | { kind: 'flush'; reason: string }
  /**
   * Names nothing: a gateway commits one before answering a write (ReadYourWrites), because the
   * commit of a notification returns only once PostgreSQL has signalled every listening session,
   * so every change committed before it is then on its way to every replica (`announceBarrier`).
   */
  | { kind: 'barrier' };

/** The notification payload announcing that `consumer` applied `event`. */
export function appliedChangePayload(consumer: string, event: PublishedEvent): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const subjects: ChangeSubjects = {};
  for (const field of SUBJECT_FIELDS) if (typeof data[field] === 'string') subjects[field] = data[field] as string;
  const change: ReadModelChange = { kind: 'applied', consumer, streamId: event.streamId, streamVersion: event.streamVersion, subjects };
  const payload = JSON.stringify(change);
  if (Buffer.byteLength(payload) <= MAX_PAYLOAD) return payload;
  // Ids and names are short; only a pathological event gets here. The stream id is still needed
  // (read-your-writes waits on it), so a stream id too long to notify at all is cut and names nothing.
  const bare = JSON.stringify({ ...change, subjects: null });
  return Buffer.byteLength(bare) <= MAX_PAYLOAD ? bare : JSON.stringify({ kind: 'flush', reason: `${consumer}: change too large to name` });
}

/** Announces `changes` on the read-model channel in one statement, delivered when the client's transaction commits. */
export async function notifyReadModelChanges(client: Pick<PoolClient, 'query'>, changes: ReadModelChange[]): Promise<void> {
  if (changes.length === 0) return;
  await client.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
    READ_MODEL_CHANGES_CHANNEL,
    changes.map((change) => JSON.stringify(change)),
  ]);
}

/**
 * Commits a barrier on the read-model channel, in its own transaction. PostgreSQL makes a commit
 * visible before it signals the listening sessions (async.c: the queue entries go in before the
 * commit, the signals after it, one listener at a time), so a change can be visible, and even
 * heard by one gateway, while another gateway's session has not been signalled yet: a fence there
 * (`SELECT 1`) would not see it. A NOTIFY's commit returns only after its signals are sent, and a
 * signalled session reads the queue up to its head, which holds every change committed earlier
 * (queue order is commit order). So once this resolves, any fence begun later, on any gateway,
 * sees every change committed before it was called. Cheap: a transaction that writes nothing else
 * commits without waiting for the disk.
 */
export async function announceBarrier(client: Pick<PoolClient, 'query'>): Promise<void> {
  await client.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANGES_CHANNEL, BARRIER_PAYLOAD]);
}

const BARRIER_PAYLOAD = JSON.stringify({ kind: 'barrier' } satisfies ReadModelChange);

/** A payload received on the channel, or undefined when it is not one this version understands. */
export function parseReadModelChange(payload: string | undefined): ReadModelChange | undefined {
  try {
    const change = JSON.parse(payload ?? '') as ReadModelChange;
    return change && ['applied', 'counters', 'flush', 'barrier'].includes(change.kind) ? change : undefined;
  } catch {
    return undefined;
  }
}
