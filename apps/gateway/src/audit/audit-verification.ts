import { VerifiedStream } from '@dockyard/contracts';

/** One stream behind a repository name as the audit copy holds it. */
export interface AuditedStream {
  service: string;
  stream: string;
  /** The audit copy's hash of each version it holds. */
  hashes: Map<number, string>;
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
 * with the audit copy: valid when every chain holds and every version the audit copy has carries
 * the hash the store has. The first problem, in the order the streams entered the history, is named.
 */
export function compareWithStores(audited: AuditedStream[], verified: Map<string, VerifiedStream>): VerificationResult {
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
    for (const [version, hash] of [...stream.hashes].sort(([a], [b]) => a - b)) {
      const stored = store.hashes[version - 1];
      if (stored === undefined) fail(stream, version, 'the audit copy has a version the store does not');
      else if (stored !== hash) fail(stream, version, 'the audit copy differs from the store');
    }
  }
  return { valid: firstInvalid === null, streams, first_invalid: firstInvalid };
}
