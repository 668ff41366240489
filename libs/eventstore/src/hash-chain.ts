import { sha256 } from './sha256';
import { canonicalJson } from './canonical-json';

/** The hash before a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** Digest of the part of an event that is never published, so the chain is verifiable without it. */
export const secretDigest = (secret: Record<string, unknown> | null | undefined): string =>
  secret ? sha256(canonicalJson(secret)) : '';

export interface ChainedFields {
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
  secretDigest: string;
}

/** Each event's hash covers the previous event's hash: editing any event breaks every later link. */
export const chainHash = (prevHash: string, event: ChainedFields): string =>
  sha256(
    prevHash +
      canonicalJson({
        eventId: event.eventId,
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.data,
        metadata: event.metadata,
        secretDigest: event.secretDigest,
      }),
  );

export type ChainVerdict = { valid: true } | { valid: false; brokenAtVersion: number };

/** Verifies one stream's events (ordered by version), e.g. as an auditor read them from a topic. */
export function verifyChain(events: (ChainedFields & { hash: string; prevHash: string })[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedVersion = 1;
  for (const event of events) {
    if (
      event.streamVersion !== expectedVersion ||
      event.prevHash !== prevHash ||
      chainHash(prevHash, event) !== event.hash
    ) {
      return { valid: false, brokenAtVersion: event.streamVersion };
    }
    prevHash = event.hash;
    expectedVersion++;
  }
  return { valid: true };
}
