import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import { BusStatus } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '../hub-runtime';

/** A PostgreSQL pool must answer `SELECT 1` within this long. */
const POSTGRES_TIMEOUT_MS = 2000;

/**
 * What `/readyz` checks (Terminus indicators), for whatever this process runs:
 * - `postgres:<services>`: each of its pools answers;
 * - `bus`: the transport is connected (Kafka: the broker answers a cluster description);
 * - `consumers`: each of its consumer groups has joined;
 * - `lag`: no consumer group lags more than DOCKYARD_READY_MAX_LAG_MS (ConsumerProgress: the age
 *   of the events it is applying while behind, or how long it has been stuck behind).
 */
/** Undefined once `work` settles within `ms`, else why it did not (its error, or "no answer"). */
async function within(ms: number, work: Promise<void>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms)));
  const settled = work.then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return Promise.race([settled, expired]).finally(() => clearTimeout(timer));
}

@Injectable()
export class ReadinessChecks {
  constructor(
    @Inject(HUB_RUNTIME) private readonly runtime: HubRuntime,
    private readonly indicators: HealthIndicatorService,
  ) {}

  all(): HealthIndicatorFunction[] {
    let status: Promise<BusStatus> | undefined;
    const bus = () => (status ??= this.runtime.bus.status());
    return [
      ...this.runtime.pools().map(({ name, pool }) => async () => {
        const check = this.indicators.check(`postgres:${name}`);
        const answered = await within(POSTGRES_TIMEOUT_MS, pool.query('SELECT 1').then(() => undefined));
        return answered === undefined ? check.up() : check.down({ message: answered });
      }),
      async () => {
        const check = this.indicators.check('bus');
        return (await bus()).connected ? check.up() : check.down({ message: 'the message broker does not answer' });
      },
      async () => {
        const check = this.indicators.check('consumers');
        const away = (await bus()).consumers.filter((c) => !c.joined).map((c) => c.group);
        return away.length === 0 ? check.up() : check.down({ message: 'consumer groups not joined', groups: away });
      },
      async () => {
        const check = this.indicators.check('lag');
        const max = this.runtime.config.readyMaxLagMs;
        const lagging = (await bus()).consumers.filter((c) => c.lagMs > max).map(({ group, lagMs, behind }) => ({ group, lagMs, behind }));
        return lagging.length === 0 ? check.up({ maxLagMs: max }) : check.down({ message: `lag over ${max} ms`, groups: lagging });
      },
    ];
  }
}
