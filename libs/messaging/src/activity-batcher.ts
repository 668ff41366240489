import { randomUUID } from 'node:crypto';
import { ActivityBatch, RepositoryActivity, SingleActivity } from '@dockyard/contracts';
import { settledWithin } from './settled-within';

/**
 * How long a stopping gateway waits to record what it gathered. With the broker away, recording
 * retries for tens of seconds, and a gateway stopping then was killed by its supervisor; activity
 * is best effort, and the batch is lost either way.
 */
const FLUSH_ON_STOP_MS = 2000;

export interface ActivityBatcherOptions {
  /** How long an activity may wait for others before its batch leaves. */
  flushMs: number;
  /** A batch this big leaves at once (and keeps a message well under the broker's size limit). */
  maxEntries: number;
}

/**
 * Gathers a gateway's activity (pulls, pushes, image fetches, logins) for a few milliseconds and
 * records it as one `ActivityBatch` message. A pull is then not one broker message and two commits
 * (its count, its audit entry) of its own: at hub scale those, not the pull's reads, would bound
 * throughput. Activity is best effort by design (DESIGN §3); what a crashed gateway had not
 * flushed yet is lost, as an unsent single activity was before.
 */
export class ActivityBatcher {
  private pending: SingleActivity[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly record: (activity: RepositoryActivity) => Promise<void>,
    private readonly options: ActivityBatcherOptions,
  ) {}

  /** Resolves once the batch holding `activity` has been recorded (rejects if recording failed). */
  add(activity: RepositoryActivity): Promise<void> {
    if (activity.kind === 'batch') return this.record(activity);
    this.pending.push(activity);
    const recorded = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.pending.length >= this.options.maxEntries) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs);
    return recorded;
  }

  /** Nest's shutdown hook (the gateway registers the batcher as a provider): nothing gathered is left behind. */
  async onModuleDestroy(): Promise<void> {
    await settledWithin(FLUSH_ON_STOP_MS, this.flush());
  }

  /** Records what is pending now; never rejects: each waiter hears its own outcome. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const [activities, waiters] = [this.pending, this.waiters];
    if (activities.length === 0) return;
    this.pending = [];
    this.waiters = [];
    // One activity alone travels as itself: no wrapper for a quiet hub.
    const message: RepositoryActivity =
      activities.length === 1 ? activities[0] : ({ activityId: randomUUID(), repositoryId: null, kind: 'batch', activities } satisfies ActivityBatch);
    try {
      await this.record(message);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
