import { Consumer, EachMessagePayload } from 'kafkajs';

interface CommitLogger {
  warn(obj: object, msg?: string): void;
}

/**
 * Commits what a consumer handled every `intervalMs` and when it stops, instead of kafkajs's
 * autoCommit, which commits after every batch and waits for that commit before fetching the
 * partition again. At a hub's usual one message per batch, that was an OffsetCommit for the broker
 * and a round trip for the consumer on every message of every group: a third of a push's CPU
 * (docs/benchmarks.md, push). A crash or a rebalance delivers again what was handled since the last
 * commit, as at-least-once delivery may anyway: every handler here is idempotent (consumer
 * checkpoints, handled commands, replies matched by request id).
 */
export class OffsetCommits {
  private readonly handled = new Map<string, { topic: string; partition: number; offset: string }>();
  private timer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer,
    private readonly intervalMs: number,
    private readonly logger?: CommitLogger,
  ) {}

  /** Called once `payload`'s message is handled: the next commit moves the partition past it. */
  handledMessage({ topic, partition, message }: EachMessagePayload): void {
    this.handledThrough({ topic, partition, offset: message.offset });
  }

  /** Called once the message at `offset` and every one before it in its partition are handled. */
  handledThrough({ topic, partition, offset }: { topic: string; partition: number; offset: string }): void {
    this.handled.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.commit(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Commits what was handled so far (the bus calls it before the consumer disconnects). */
  commit(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.handled.size === 0) return this.committing;
    const offsets = [...this.handled.values()];
    this.handled.clear();
    this.committing = this.committing.then(() =>
      this.consumer.commitOffsets(offsets).catch((error: Error) => {
        // A rebalance took the partition, or the broker is away: whoever reads it next starts from
        // the last commit that landed, and handles the rest again.
        this.logger?.warn({ err: error }, 'kafka offsets not committed; what was handled since the last commit will be delivered again');
      }),
    );
    return this.committing;
  }
}
