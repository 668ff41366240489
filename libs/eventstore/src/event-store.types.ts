import { MessageMetadata } from '@dockyard/contracts';

/** An event about to be appended. `secret` stays in the owning service: the relay never publishes it. */
export interface NewEvent {
  type: string;
  schemaVersion?: number;
  data: Record<string, unknown>;
  secret?: Record<string, unknown>;
}

/** An event as the owning service reads it back from its own store (secret included). */
export interface StoredEvent {
  eventId: string;
  streamId: string;
  streamVersion: number;
  position: bigint;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  secret: Record<string, unknown> | null;
  metadata: MessageMetadata & { occurredAt: string };
  hash: string;
  prevHash: string;
}

export interface AppendResult {
  /** Version of the last appended event. */
  streamVersion: number;
  /** Global position of the last appended event. */
  position: bigint;
}

/** Thrown when the stream is not at the expected version: nothing was written. */
export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
  ) {
    super(`stream ${streamId} is not at version ${expectedVersion}`);
    this.name = 'WrongExpectedVersionError';
  }
}

/**
 * Thrown when an event id is already in the store: the command that derived it was executed before
 * (its handled-command record already pruned, or a check that raced). Nothing was written.
 */
export class DuplicateEventError extends Error {
  constructor(readonly streamId: string) {
    super(`an event appended to ${streamId} is already stored (same event id): its command was executed before`);
    this.name = 'DuplicateEventError';
  }
}
