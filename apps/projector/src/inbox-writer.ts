import { isTransientError } from '@dockyard/eventstore';

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
  /** Deliveries being folded at once, without the inbox (`admit`). */
  private folding = 0;
  /** Deliveries this writer kept that no batch is known to have taken yet. */
  private waiting = 0;
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

  /**
   * Takes a delivery. When nothing else waits or is being folded here, it is folded at once in a
   * transaction of its own (`fold`), as if there were no inbox: deliveries that come one after the
   * other (a quiet projector; the standalone hub, whose bus hands a group one message at a time) pay
   * no inbox row and no second commit. Keeping every delivery cost the standalone hub 10 % of its
   * pull reads (each batch's JSON written to PostgreSQL and read back), and so did keeping every one
   * that came while a pass ran, since passes then followed one another for as long as pulls came.
   * Otherwise — deliveries at once (several partitions), or others already waiting — it is kept in
   * the inbox (`keep`) for the next pass, together with whatever else arrives meanwhile: under load
   * the transactions follow the passes. A delivery whose own fold fails for anything but a transient
   * error is kept too, so the pass's isolation decides about it.
   */
  protected async admit(fold: () => Promise<void>, keep: () => Promise<void>): Promise<void> {
    if (this.folding === 0 && this.waiting === 0 && !this.closed) {
      this.folding++;
      try {
        await fold();
        return;
      } catch (error) {
        if (isTransientError(error)) throw error;
      } finally {
        this.folding--;
      }
    }
    await keep();
    this.kept();
  }

  /**
   * After a batch failed for anything but a transient error: `rows` written one at a time, so that
   * one row that cannot be written stops neither the others nor the inbox; a row that fails alone
   * goes to `failed`. A transient error (PostgreSQL away) ends the pass: the rows stay.
   */
  protected async oneByOne<R>(rows: R[], write: (row: R) => Promise<unknown>, failed: (row: R, error: unknown) => Promise<unknown>): Promise<void> {
    for (const row of rows) {
      try {
        await write(row);
      } catch (error) {
        if (isTransientError(error)) throw error;
        await failed(row, error);
      }
    }
  }

  /** A delivery was kept in the inbox: it waits for the next pass, and so do the deliveries after it. */
  protected kept(): void {
    this.waiting++;
    this.wake();
  }

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

  private wake(): void {
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
        do {
          // Rows kept before a batch that was not full began are behind it: it took them, or
          // another replica's writer did.
          const keptBefore = this.waiting;
          full = await this.batch();
          if (!full) this.waiting -= keptBefore;
        } while (full && !this.closed);
      } while (this.again && !this.closed);
    } catch (error) {
      // PostgreSQL away: the rows stay, and the next delivery or poll retries.
      this.writerOptions.logger?.error({ err: error }, `${this.name}: batch not written; the next pass retries`);
    }
  }
}
