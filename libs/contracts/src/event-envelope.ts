/** Who or what caused a message, carried from the HTTP request through every command and event. */
export interface MessageMetadata {
  correlationId: string;
  causationId?: string;
  requestId?: string;
  /** `user:<name>` or `system:<component>`. */
  actor: string;
  /**
   * The identity of one command (set by the gateway from the request's `Idempotency-Key`, scoped to
   * the caller, or from the request itself, plus the command's ordinal in the request): a service
   * executes a command id once and answers every repeat with the first result; the events it
   * appended get ids derived from it.
   */
  commandId?: string;
  /**
   * Where the HTTP request that caused it came from (the peer address, or the proxy's
   * `X-Forwarded-For` client when `DOCKYARD_TRUST_PROXY` trusts that proxy) and its `User-Agent`:
   * what an auditor reads as "from which address, with which client".
   */
  sourceIp?: string;
  userAgent?: string;
}

/** The part of MessageMetadata that says which HTTP request something came from. */
export type RequestOrigin = Pick<MessageMetadata, 'requestId' | 'sourceIp' | 'userAgent'>;

/** An event as it is published to a topic: a committed fact, without any secret. */
export interface PublishedEvent<TData = Record<string, unknown>> {
  eventId: string;
  /** The service whose event store holds the event, e.g. `accounts`. */
  source: string;
  streamId: string;
  streamVersion: number;
  /** Position in the source's event store; orders events of one source, not across sources. */
  position: string;
  type: string;
  schemaVersion: number;
  data: TData;
  metadata: MessageMetadata & { occurredAt: string };
  /** sha256 hash chain of the stream: `hash` of this event, `prevHash` of the one before. */
  hash: string;
  prevHash: string;
  /** sha256 of the event's unpublished secret part ('' if none): lets anyone verify the chain. */
  secretDigest: string;
}

/** Where a write landed, so a reader can wait until its read model has caught up (DESIGN §4). */
export interface WrittenStream {
  source: string;
  streamId: string;
  streamVersion: number;
}
