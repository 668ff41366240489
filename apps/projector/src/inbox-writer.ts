export interface InboxLogger {
  error(obj: object, msg?: string): void;
}

export interface InboxWriterOptions {
  pollMs?: number;
  logger?: InboxLogger;
}

/**
 * An inbox's writer (audit-inbox.ts, activity-inbox.ts): deliveries are kept as rows, and the writer
 * folds the rows that wait in batches, one pass at a time, woken by a delivery and by a poll (rows
 * another replica or a crash left). A pass takes batches until one is not full: a batch shorter than
 * its limit took every row it could, and another would only open a transaction to find the inbox
 * empty. Rows received during a pass start another pass after it.
 */
export abstract class InboxWriter {
  private running: Promise<void> | undefined;
  private again = false;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly writerOptions: InboxWriterOptions,
  ) {}

  /** One batch in one transaction; whether it was full (more may wait). */
  protected abstract batch(): Promise<boolean>;

  /** Polls for rows another replica (or a crash) left, and folds what is there now. */
  start(): void {
    this.poll = setInterval(() => this.wake(), this.writerOptions.pollMs ?? 1000);
    this.poll.unref();
    this.wake();
  }

  /** Stops polling and waits for the batch in flight. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    await this.running;
  }

  /** Resolves once every row that was in the inbox when it was called is folded (or the writer failed). */
  async drained(): Promise<void> {
    this.wake();
    while (this.running) await this.running;
  }

  protected wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes().finally(() => {
      this.running = undefined;
    });
  }

  private async passes(): Promise<void> {
    try {
      do {
        this.again = false;
        let full = false;
        do full = await this.batch();
        while (full && !this.closed);
      } while (this.again && !this.closed);
    } catch (error) {
      // PostgreSQL away: the rows stay, and the next delivery or poll retries.
      this.writerOptions.logger?.error({ err: error }, `${this.name}: batch not written; the next pass retries`);
    }
  }
}
