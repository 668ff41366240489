import { Gauge, collectDefaultMetrics, register } from 'prom-client';
import { MessageBus, processMetric } from '@dockyard/messaging';

/** The buses whose consumer groups the lag gauges report (one per process, more in tests). */
const watched = new Set<MessageBus>();

/** Sets `gauge` from each watched bus's consumer groups at scrape time (prom-client's collect). */
const consumerGauge = (name: string, help: string, value: (c: { behind?: number; lagMs: number }) => number | undefined) =>
  processMetric(
    name,
    () =>
      new Gauge<'group'>({
        name,
        help,
        labelNames: ['group'],
        async collect() {
          this.reset();
          for (const bus of watched) {
            for (const consumer of (await bus.status().catch(() => undefined))?.consumers ?? []) {
              const v = value(consumer);
              if (v !== undefined) this.set({ group: consumer.group }, v);
            }
          }
        },
      }),
  );

/**
 * Every process's metrics besides those of its code paths: Node's own (CPU, memory, event loop;
 * once per process) and, for each consumer group of `bus`, `dockyard_consumer_lag` (entries
 * behind: Kafka high watermark − committed offset, in process entries past the cursor) and
 * `dockyard_consumer_lag_seconds` (ConsumerProgress's lag in time, what `/readyz` bounds).
 * Returns what stops reporting `bus`.
 */
export function watchProcessMetrics(bus: MessageBus): () => void {
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  consumerGauge('dockyard_consumer_lag', 'Entries of its topics a consumer group has not handled yet', (c) => c.behind);
  consumerGauge('dockyard_consumer_lag_seconds', 'How far behind a consumer group is in time (0 when caught up)', (c) => c.lagMs / 1000);
  watched.add(bus);
  return () => watched.delete(bus);
}
