import { PublishedEvent } from './event-envelope';
import { SERVICES, ServiceName } from './topics';

/**
 * Commands every event-owning service answers for its consumers (docs/architecture.md,
 * Consistency): `<service>.read-stream` reads versions `fromVersion..toVersion` of one of its
 * streams back from its own store, in their published form (never the secret part), so a consumer
 * that saw a gap repairs it from the owner.
 */
export const readStreamCommand = (service: ServiceName): string => `${service}.read-stream`;

/** `<service>.<verb>` for every event-owning service: the commands each answers for its own streams. */
const perService = <V extends string>(verb: V) =>
  Object.fromEntries(SERVICES.map((service) => [service, `${service}.${verb}`])) as { [S in ServiceName]: `${S}.${V}` };

export const READ_STREAM_COMMANDS = perService('read-stream');

/** At most this many events per read-stream command; a longer gap is read in several. */
export const READ_STREAM_MAX_EVENTS = 500;

export interface ReadStreamCommand {
  streamId: string;
  fromVersion: number;
  toVersion: number;
}
export type ReadStreamReply = PublishedEvent[];

/**
 * `<service>.read-events`: a page of a service's whole store in position order, in published form,
 * for rebuilding a read model from the owners' stores (`npm run rebuild`). Position order is not
 * commit order (an event may commit after a later-numbered one): the rebuild reconciles with the
 * live read model's checkpoints before it swaps, so a page read too early loses nothing.
 */
export const READ_EVENTS_COMMANDS = {
  accounts: 'accounts.read-events',
  repositories: 'repositories.read-events',
  images: 'images.read-events',
  tokens: 'tokens.read-events',
} as const satisfies Record<ServiceName, string>;

export const READ_EVENTS_MAX_EVENTS = 2000;

export interface ReadEventsCommand {
  /** Events after this position ('0': from the first). */
  afterPosition: string;
  limit: number;
}
export type ReadEventsReply = PublishedEvent[];

/**
 * Admin commands that retry a consumer's parked events (`<schema>.parked_events`): the images
 * service's `known-repositories`, the tokens service's `revocations`. The projector's are retried by
 * `scripts/retry-parked.ts` (it answers no commands).
 */
export const RETRY_PARKED_COMMANDS = {
  images: 'images.retry-parked',
  tokens: 'tokens.retry-parked',
} as const;

export interface RetryParkedCommand {
  /** Only this stream's parked events; all of the consumer's when absent. */
  streamId?: string;
}
export interface RetryParkedReply {
  applied: number;
  stillParked: number;
}

/**
 * `<service>.verify-streams`: the service recomputes the hash chains of some of its own streams in
 * its own store (the audit API's `verify`: no service reads another's tables) and answers each
 * stream's length, head and per-version hashes as stored, so the caller can compare its copy.
 */
export const VERIFY_STREAMS_COMMANDS = perService('verify-streams');

/** At most this many streams per verify-streams command. */
export const VERIFY_STREAMS_MAX = 200;

export interface VerifyStreamsCommand {
  streamIds: string[];
}
export interface VerifiedStream {
  streamId: string;
  events: number;
  /** The hash of the last event ('' for a stream the store does not have). */
  head: string;
  valid: boolean;
  /** The first version whose stored hash, link or number does not verify. */
  brokenAtVersion: number | null;
  /** The stored hash of each version, in order (index 0 = version 1). */
  hashes: string[];
}
export type VerifyStreamsReply = VerifiedStream[];
