/**
 * The lives of a repository name. Deleting a repository frees its name, and a new repository (a new
 * `repositoryId`, a new pair of streams) may take it: two lives of one name are different streams,
 * on different partitions, so their events reach the projector in any order. The read model shows
 * a name's newest life, ordered by the owner's facts, never by arrival:
 *
 * - the repositories service creates a life only once the previous one's deletion has committed
 *   (its name claim), so the position of `RepositoryCreated` in its store orders the lives of a name;
 * - a newer life therefore implies every older one is deleted, whether or not that deletion has
 *   arrived: an older life is evicted by a newer one, and a late `RepositoryCreated` of an older
 *   life never replaces the newer one (live or itself deleted).
 */
export interface Life {
  repositoryId: string;
  /** Position of its `RepositoryCreated` in the repositories' event store. */
  createdPosition: bigint;
}

export type LifePlacement =
  /** The newest life known for its name: shown; `evict` is the older life it replaces. */
  | { kind: 'live'; evict?: string }
  /** A newer life of the name is known: this one is dead already. */
  | { kind: 'superseded'; by: string }
  /** Its own deletion was already applied. */
  | { kind: 'deleted' };

/** Where an arriving `RepositoryCreated` goes, given the newest life known for its name. */
export function placeLife(newest: Life | undefined, arriving: Life, alreadyDeleted: boolean): LifePlacement {
  if (alreadyDeleted) return { kind: 'deleted' };
  if (!newest || newest.repositoryId === arriving.repositoryId) return { kind: 'live' };
  if (newest.createdPosition > arriving.createdPosition)
    return { kind: 'superseded', by: newest.repositoryId };
  return { kind: 'live', evict: newest.repositoryId };
}
