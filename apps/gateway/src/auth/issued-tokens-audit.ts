import { ClientProxy } from '@nestjs/microservices';
import { IssuedTokenRecord, RecordIssuedTokensReply, TOKENS_COMMANDS } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';

export interface IssuedTokensAuditOptions {
  /** A batch leaves this long after its first grant at the latest. */
  flushAfterMs?: number;
  /** ...or as soon as it holds this many grants. */
  batchSize?: number;
  /** Grants kept while the tokens service does not answer; beyond, the oldest are dropped (logged). */
  maxPending?: number;
  logger?: { warn(details: object, message: string): void };
}

const SYSTEM_METADATA = { correlationId: 'issued-tokens-audit', actor: 'system:gateway' };

/**
 * The audit trail of the tokens this gateway signs itself, off the request path: grants are
 * collected and sent in batches (`tokens.record-issued`), and a batch is kept and sent again until
 * the tokens service has appended it (its append is idempotent by token id, so a batch answered
 * too late for us and sent again is recorded once). What a crash loses is the batch not yet sent:
 * audit rows of tokens issued in the last moments (docs/architecture.md, "Tokens").
 */
export class IssuedTokensAudit {
  private pending: IssuedTokenRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The send running now, and at most one flush queued behind it (it sends whatever is pending then). */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** A send failed: until the retry, new grants wait for it rather than each starting a send of their own. */
  private backingOff = false;
  private readonly flushAfterMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(
    private readonly tokensClient: ClientProxy,
    private readonly options: IssuedTokensAuditOptions = {},
  ) {
    this.flushAfterMs = options.flushAfterMs ?? 100;
    this.batchSize = options.batchSize ?? 200;
    this.maxPending = options.maxPending ?? 100_000;
  }

  record(grant: IssuedTokenRecord): void {
    this.pending.push(grant);
    if (this.pending.length > this.maxPending) {
      const dropped = this.pending.splice(0, this.pending.length - this.maxPending);
      this.options.logger?.warn({ dropped: dropped.length }, 'token audit backlog full: oldest TokenIssued records dropped');
    }
    if (this.pending.length >= this.batchSize && !this.backingOff) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushAfterMs).unref();
  }

  /**
   * Sends what is pending, one batch at a time, in order; resolves once sent or put back. Called
   * while a send runs, it queues one flush behind it, shared by every caller meanwhile: during an
   * outage each grant would otherwise chain a send of its own, each waiting out its timeout.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) {
      this.running = this.sendAll().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  private async sendAll(): Promise<void> {
    this.backingOff = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      try {
        await sendCommand<RecordIssuedTokensReply>(this.tokensClient, TOKENS_COMMANDS.RecordIssuedTokens, { grants: batch }, SYSTEM_METADATA);
      } catch (error) {
        // Kept, first in line, and tried again later: the tokens service or the bus is away.
        this.pending.unshift(...batch);
        this.options.logger?.warn({ err: error, pending: this.pending.length }, 'issued tokens not recorded yet; retrying');
        this.backingOff = true;
        this.timer ??= setTimeout(() => void this.flush(), Math.max(this.flushAfterMs, RETRY_AFTER_MS)).unref();
        return;
      }
    }
  }
}

const RETRY_AFTER_MS = 1000;
