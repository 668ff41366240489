/** Another namespace's complete copy with byte-identical json that the pusher may read now. */
export interface MountCandidate {
  namespace: string;
  blobKey: string;
  /** Whether the pusher was served this very copy's layer by this hub (read.image_fetches). */
  fetched: boolean;
  /** Position of the copy's first json: earlier copies are preferred. */
  storedAt: number;
}

export type MountDecision =
  /** Mount from this namespace's copy. */
  | { source: string; awaitFetch: false }
  /**
   * No mount: the pusher uploads their own bytes. `awaitFetch`: there are candidates but the pusher
   * fetched none of them (yet: a pull a moment ago may not be projected), so waiting briefly for the
   * fetch record can still turn this into a mount.
   */
  | { source: null; awaitFetch: boolean };

/**
 * Which copy a pushed json may be mounted from. Identical json does not prove identical layer bytes
 * (v1 ids are not content hashes): anyone can upload a published json with other bytes. So:
 * - `library` (written only by admins) is mounted by anyone who may read it;
 * - any other copy only if the pusher fetched that very copy from this hub: their local image then
 *   *is* those bytes, and the mount gives them nothing they did not already have. Copies they
 *   fetched with different layers are ambiguous: no mount.
 */
export function chooseMountSource(candidates: MountCandidate[]): MountDecision {
  if (candidates.length === 0) return { source: null, awaitFetch: false };
  if (candidates.some((c) => c.namespace === 'library')) return { source: 'library', awaitFetch: false };
  const fetched = candidates.filter((c) => c.fetched);
  if (fetched.length === 0) return { source: null, awaitFetch: true };
  if (new Set(fetched.map((c) => c.blobKey)).size > 1) return { source: null, awaitFetch: false };
  const earliest = fetched.reduce((a, b) => (b.storedAt < a.storedAt ? b : a));
  return { source: earliest.namespace, awaitFetch: false };
}
