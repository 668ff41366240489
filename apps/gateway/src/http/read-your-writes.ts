import { Pool } from 'pg';
import { DomainError, ProjectionName, READ_SCHEMA, WrittenStream } from '@dockyard/contracts';
import { appliedVersion } from '@dockyard/eventstore';
import { Logger } from '@dockyard/runtime';
import { GatewayMetrics } from '../metrics/gateway-metrics';

/**
 * A 2xx to a write means the client's next request sees it on any replica (DESIGN §4): before
 * answering, the gateway waits until the projection the next request reads has applied the
 * written stream version. Bounded: after `timeoutMs` (the projector is down or far behind) it
 * answers 503 instead of a 2xx whose effect the next request would not see — the write itself is
 * stored, and a retry (with the same Idempotency-Key, the same outcome) finds it.
 */
export class ReadYourWrites {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

  async waitFor(projection: ProjectionName, written: WrittenStream | null | undefined): Promise<void> {
    if (!written) return;
    const end = this.metrics?.readYourWritesSeconds.startTimer({ projection });
    try {
      await this.poll(projection, written);
    } finally {
      end?.();
    }
  }

  private async poll(projection: ProjectionName, written: WrittenStream): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    let delay = 1;
    while ((await appliedVersion(this.pool, READ_SCHEMA, projection, written.streamId)) < written.streamVersion) {
      if (Date.now() > deadline) {
        this.logger.warn({ projection, written }, 'read model did not catch up in time; answering 503');
        throw new DomainError('unavailable', 'the change is stored but not visible yet; retry shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 25);
    }
  }
}
