import { VerifiedStream } from '@dockyard/contracts';

/** One stream behind a repository name as the audit copy holds it. */
export interface AuditedStream {
  service: string;
  stream: string;
  /** The audit copy's hash of each version the history shows (through its links to the name). */
  hashes: Map<number, string>;
  /**
   * For a stream of one repository's life (`repository-<id>`, `images-<id>`): that repository's id,
   * and the version the audit projection has applied, so every version up to it must be in the
   * history. Absent for an image's stream, which a namespace's repositories share.
   */
  owned?: { repositoryId: string; through: number };
}

/** The repository id a stream of one repository's life is named after, if it is one. */
export function owningRepository(stream: string): string | undefined {
  return /^(?:repository|images)-([0-9a-f-]{36})$/.exec(stream)?.[1];
}

export interface StreamVerdict {
  service: string;
  stream: string;
  events: number;
  head: string;
}

export interface FirstInvalid {
  service: string;
  stream: string;
  version: number | null;
  reason: string;
}

export interface VerificationResult {
  valid: boolean;
  streams: StreamVerdict[];
  first_invalid: FirstInvalid | null;
}

/**
 * Compares each stream's verdict from its owning service (its chain recomputed in its own store)
 * with the audit copy: valid when every chain holds, every version the history shows carries the
 * hash the store has, a repository's own streams are those of the name's lives (`lives`), and none
 * of their versions the audit projection applied is missing from the history (an entry or its link
 * to the name deleted). The first problem, in the order the streams entered the history, is named.
 */
export function compareWithStores(audited: AuditedStream[], verified: Map<string, VerifiedStream>, lives: ReadonlySet<string> = new Set()): VerificationResult {
  const streams: StreamVerdict[] = [];
  let firstInvalid: FirstInvalid | null = null;
  const fail = (stream: AuditedStream, version: number | null, reason: string) => {
    firstInvalid ??= { service: stream.service, stream: stream.stream, version, reason };
  };
  for (const stream of audited) {
    const store = verified.get(stream.stream);
    streams.push({ service: stream.service, stream: stream.stream, events: store?.events ?? 0, head: store?.head ?? '' });
    if (!store || store.events === 0) {
      fail(stream, null, 'the owning service does not have this stream');
      continue;
    }
    if (!store.valid) fail(stream, store.brokenAtVersion, 'the hash chain does not verify in the owning service\'s store');
    if (stream.owned && !lives.has(stream.owned.repositoryId)) fail(stream, null, 'the stream belongs to another repository than this name\'s');
    for (let version = 1; stream.owned && version <= Math.min(stream.owned.through, store.events); version++) {
      if (!stream.hashes.has(version)) {
        fail(stream, version, 'the history lacks a version the audit copy has applied');
        break;
      }
    }
    for (const [version, hash] of [...stream.hashes].sort(([a], [b]) => a - b)) {
      const stored = store.hashes[version - 1];
      if (stored === undefined) fail(stream, version, 'the audit copy has a version the store does not');
      else if (stored !== hash) fail(stream, version, 'the audit copy differs from the store');
    }
  }
  return { valid: firstInvalid === null, streams, first_invalid: firstInvalid };
}
