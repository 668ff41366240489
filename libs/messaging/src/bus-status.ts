/** How one consumer group of this process is doing (readiness and the consumer lag gauge). */
export interface ConsumerGroupStatus {
  group: string;
  /** Whether this process's member has joined the group (Kafka) or is subscribed (in process). */
  joined: boolean;
  /**
   * Entries of the group's topics it has not handled yet: Kafka, high watermark − committed offset
   * summed over partitions; in process, log entries past the group's cursor. Undefined when not
   * known (broker unreachable) or not meaningful (this process's reply consumer).
   */
  behind?: number;
  /** How far behind the group is in time, by `ConsumerProgress.lagMs`: 0 when caught up. */
  lagMs: number;
}

/** What the bus reports to `/readyz` and `/metrics`. */
export interface BusStatus {
  /** The broker answers (always true in process while the bus is open). */
  connected: boolean;
  consumers: ConsumerGroupStatus[];
}

/**
 * Tracks how one consumer group moves, to turn "N entries behind" into a lag in time without
 * reading the entries: while the group is behind, its lag is the larger of
 * - the age (occurredAt → handled) of the last event it handled: it is catching up on old events;
 * - the time since it last handled anything, counted at the earliest from when it was first seen
 *   behind: it is stuck (a handler retrying, PostgreSQL down).
 * A group seen caught up has lag 0, and forgets the age of its last event, so a new event that has
 * not been handled yet when the status is read does not count an old one's age.
 */
export class ConsumerProgress {
  joined = false;
  private lastHandledAt = 0;
  private lastEventAgeMs = 0;
  private behindSince: number | undefined;

  constructor(readonly group: string) {}

  /** One entry handled; `occurredAt` (ISO) when it is an event. */
  handled(occurredAt?: string, now = Date.now()): void {
    this.lastHandledAt = now;
    const at = occurredAt ? Date.parse(occurredAt) : NaN;
    if (!Number.isNaN(at)) this.lastEventAgeMs = Math.max(0, now - at);
  }

  status(behind: number | undefined, now = Date.now()): ConsumerGroupStatus {
    if (behind === 0) {
      this.behindSince = undefined;
      this.lastEventAgeMs = 0;
      return { group: this.group, joined: this.joined, behind, lagMs: 0 };
    }
    if (behind !== undefined) this.behindSince ??= now;
    const lagMs =
      this.behindSince === undefined ? 0 : Math.max(this.lastEventAgeMs, now - Math.max(this.lastHandledAt, this.behindSince));
    return { group: this.group, joined: this.joined, behind, lagMs };
  }
}
