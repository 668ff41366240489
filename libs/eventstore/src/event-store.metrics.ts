import { processCounter, processHistogram } from '@dockyard/messaging';

/** Lags from an event's occurredAt: milliseconds on a healthy hub, minutes while something is down. */
const LAG_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60];

/** The event store's Prometheus metrics (default registry, one of each per process). */
export const eventStoreMetrics = {
  /**
   * Counted when the insert succeeds, inside the appending transaction: one that rolls back after
   * (a conflict later in the same command) has been counted too.
   */
  appended: processCounter<'source' | 'type'>({
    name: 'dockyard_events_appended_total',
    help: 'Events appended to an event store, by source (its schema) and type',
    labelNames: ['source', 'type'],
  }),
  /**
   * From the event's occurredAt (stamped in the appending transaction, so at most that
   * transaction's duration before its commit) to the bus acknowledging its publish.
   */
  relayLag: processHistogram<'source'>({
    name: 'dockyard_relay_lag_seconds',
    help: 'Time from an event being committed (its occurredAt) to the bus acknowledging its publish',
    labelNames: ['source'],
    buckets: LAG_BUCKETS,
  }),
  /** From the event's occurredAt to the consumer's transaction that applied it. */
  projectionLag: processHistogram<'consumer'>({
    name: 'dockyard_projection_lag_seconds',
    help: 'Time from an event occurring to a read model (stream consumer) applying it, by consumer',
    labelNames: ['consumer'],
    buckets: LAG_BUCKETS,
  }),
};

/** Seconds from an ISO time to `now` (0 for a missing or unreadable one, never negative). */
export const secondsSince = (iso: string | undefined, now = Date.now()): number => {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(at) ? 0 : Math.max(0, now - at) / 1000;
};
