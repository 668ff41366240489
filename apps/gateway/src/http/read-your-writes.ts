import { Pool } from 'pg';
import { DomainError, ProjectionName, READ_SCHEMA, WrittenStream } from '@dockyard/contracts';
import { ReadModelChange, announceBarrier, appliedVersion } from '@dockyard/eventstore';
import { ReadModelChangeListener, ReadModelChanges } from '../hot/read-model-changes';
import { GatewayMetrics } from '../metrics/gateway-metrics';

interface Waiter {
  version: number;
  /** Settles the wait: true when the projection has applied the version. */
  wake(): void;
  /** The read model must be asked again (notifications were missed, or tables replaced). */
  recheck(): void;
}

/**
 * A 2xx to a write means the client's next request sees it on any replica (DESIGN §4): before
 * answering, the gateway waits until the projection the next request reads has applied the
 * written stream version. Bounded: after `timeoutMs` (the projector is down or far behind) it
 * answers 503 instead of a 2xx whose effect the next request would not see — the write itself is
 * stored, and a retry (with the same Idempotency-Key, the same outcome) finds it.
 *
 * The wait is woken by the projector's change notifications (ReadModelChanges), sent in the
 * transaction that moves the projection's checkpoint: the checkpoint is read once, then the wait
 * lasts until a notification shows that stream at or past the version (or the read model is asked
 * again: after missed notifications, a rebuild's swap, and once at the timeout; every 25 ms while
 * the LISTEN session is lost).
 *
 * Visible is not yet announced everywhere: PostgreSQL signals the listening sessions after a commit
 * is visible, one after the other, so this replica may have heard the change (or read the
 * checkpoint) while another replica's session is not signalled yet, and the client's next request
 * there would fence without it and answer from the row before the write. So the wait ends with a
 * barrier (`announceBarrier`): once it has committed, every session has been signalled. A sole
 * gateway (the standalone hub) then also waits until its own session has heard it: its reads do
 * not fence.
 */
export class ReadYourWrites implements ReadModelChangeListener {
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
    private readonly metrics?: GatewayMetrics,
    private readonly changes?: ReadModelChanges,
  ) {
    changes?.subscribe(this);
  }

  async waitFor(projection: ProjectionName, written: WrittenStream | null | undefined): Promise<void> {
    await this.waitForAll([{ projection, written }]);
  }

  /**
   * Several writes of one request (a push's create: the repository, then its image list), each
   * awaited as it becomes known, and one barrier for all of them: a barrier is a commit under
   * PostgreSQL's one notification lock, which every acknowledged write of the cluster takes.
   */
  async waitForAll(writes: PendingWrite[]): Promise<void> {
    let waited = false;
    const ends: (() => void)[] = [];
    try {
      // Every wait settles before the answer, even when one fails: no command is left in flight.
      const outcomes = await Promise.allSettled(
        writes.map(async ({ projection, written }) => {
          const stream = await written;
          if (!stream) return;
          waited = true;
          const end = this.metrics?.readYourWritesSeconds.startTimer({ projection });
          if (end) ends.push(end);
          await this.await(projection, stream);
        }),
      );
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      if (!waited) return;
      await announceBarrier(this.pool);
      // A sole gateway's reads fence nothing (ReadModelChanges): its own session must have applied
      // the change before the answer. Not listening, its view serves nothing and starts afresh.
      if (this.changes?.isSole) await this.changes.heardEverything();
    } finally {
      for (const end of ends) end();
    }
  }

  changed(change: ReadModelChange): void {
    if (change.kind === 'flush') return this.missed();
    if (change.kind !== 'applied') return;
    for (const waiter of this.waiting.get(waitKey(change.consumer, change.streamId)) ?? []) {
      if (change.streamVersion >= waiter.version) waiter.wake();
    }
  }

  missed(): void {
    for (const waiters of this.waiting.values()) for (const waiter of waiters) waiter.recheck();
  }

  private async await(projection: ProjectionName, written: WrittenStream): Promise<void> {
    const key = waitKey(projection, written.streamId);
    const applied = () => appliedVersion(this.pool, READ_SCHEMA, projection, written.streamId).then((v) => v >= written.streamVersion);
    let done!: (caughtUp: boolean) => void;
    const settled = new Promise<boolean>((resolve) => (done = resolve));
    const waiter: Waiter = {
      version: written.streamVersion,
      wake: () => done(true),
      recheck: () => void applied().then((caughtUp) => caughtUp && done(true), () => undefined),
    };
    // Registered before the checkpoint is read: a notification sent in between is not lost.
    let waiters = this.waiting.get(key);
    if (!waiters) this.waiting.set(key, (waiters = new Set()));
    waiters.add(waiter);
    const timer = setTimeout(() => done(false), this.timeoutMs);
    // While no notification can arrive (the LISTEN session is lost, or there is none), ask as before.
    const poll = setInterval(() => this.changes?.listening || waiter.recheck(), POLL_WHILE_DEAF_MS);
    try {
      if (await applied()) return;
      if (await settled) return;
      if (await applied()) return; // once more at the timeout: a notification may have been missed
      throw new NotVisibleYet(projection, written);
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
      waiters.delete(waiter);
      if (waiters.size === 0) this.waiting.delete(key);
    }
  }
}

/** A write a request waits to see: its stream, or the command's reply that will name it. */
export interface PendingWrite {
  projection: ProjectionName;
  written: WrittenStream | null | undefined | Promise<WrittenStream | null | undefined>;
}

/**
 * A write stored whose effect the next request would not see yet: 503. It names the projection and
 * stream so that the exception filter, which knows the request, logs them with its correlation id.
 */
export class NotVisibleYet extends DomainError {
  constructor(
    readonly projection: ProjectionName,
    readonly written: WrittenStream,
  ) {
    super('unavailable', 'the change is stored but not visible yet; retry shortly');
  }
}

const POLL_WHILE_DEAF_MS = 25;
const waitKey = (projection: string, streamId: string) => `${projection}\u0000${streamId}`;
