/** A message of a partition, as far as its lane and its commit need it. */
export interface LaneMessage {
  topic: string;
  partition: number;
  offset: string;
  /** Messages of one key are handled one after the other, in offset order; no key is a lane of its own per partition. */
  key: string | null;
}

/**
 * Runs a consumer's commands concurrently across keys and in order within a key, and tells which
 * offsets are handled *contiguously*, so a commit never passes a command still running.
 *
 * kafkajs handles a fetch's messages and only then fetches again, for every partition of that
 * broker: one slow command (an images command waiting for a repository it has not heard of yet)
 * stalled every other command of the service, and under load a command waited for whole batches
 * of unrelated ones. Commands are keyed by aggregate, and order matters only within an aggregate,
 * so the consumer hands each message to its key's lane and goes on fetching; it waits only while
 * `limit` commands are running. kafkajs has no such mode (its concurrency is per partition), hence
 * this small scheduler.
 */
export class CommandLanes {
  private readonly tails = new Map<string, Promise<void>>();
  /** Per partition, its running messages in offset order, each marked once it is handled. */
  private readonly running = new Map<string, { message: LaneMessage; done: boolean }[]>();
  private active = 0;
  private readonly slots: (() => void)[] = [];
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    /** Called with the last message of a partition handled with every message before it. */
    private readonly handledThrough: (message: LaneMessage) => void,
  ) {}

  /**
   * Starts `handle` once the earlier messages of its key are handled, and resolves when the
   * consumer may take its next message (fewer than `limit` running). `handle` must not reject:
   * a command's failure is its reply.
   */
  async admit(message: LaneMessage, handle: () => Promise<void>): Promise<void> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.slots.push(resolve));
    this.active++;
    const partitionKey = `${message.topic}:${message.partition}`;
    const entry = { message, done: false };
    const partition = this.running.get(partitionKey) ?? [];
    partition.push(entry);
    this.running.set(partitionKey, partition);

    const laneKey = `${partitionKey}:${message.key ?? ''}`;
    const tail = (this.tails.get(laneKey) ?? Promise.resolve())
      .then(handle)
      .catch(() => undefined) // `handle` answers its own failures; the lane must go on regardless
      .finally(() => {
        if (this.tails.get(laneKey) === tail) this.tails.delete(laneKey);
        entry.done = true;
        this.release(partitionKey);
      });
    this.tails.set(laneKey, tail);
  }

  /** Resolves once nothing admitted is still running (the bus waits for it before its last commit). */
  drained(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private release(partitionKey: string): void {
    const partition = this.running.get(partitionKey)!;
    let through: LaneMessage | undefined;
    while (partition.length > 0 && partition[0].done) through = partition.shift()!.message;
    if (partition.length === 0) this.running.delete(partitionKey);
    if (through) this.handledThrough(through);
    this.active--;
    this.slots.shift()?.();
    if (this.active === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}
