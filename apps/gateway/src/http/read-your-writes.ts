import { Pool } from 'pg';
import { ProjectionName, READ_SCHEMA, WrittenStream } from '@dockyard/contracts';
import { appliedVersion } from '@dockyard/eventstore';
import { Logger } from '@dockyard/runtime';
import { GatewayMetrics } from '../metrics/gateway-metrics';

/**
 * A 2xx to a write means the client's next request sees it on any replica (DESIGN §4): before
 * answering, the gateway waits until the projection the next request reads has applied the
 * written stream version. Bounded: after `timeoutMs` it answers anyway and logs the lag.
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
        this.logger.warn({ projection, written }, 'read model did not catch up in time; answering anyway');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 25);
    }
  }
}
