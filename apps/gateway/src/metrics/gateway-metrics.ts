import { processCounter, processHistogram } from '@dockyard/messaging';

/** A request or a command through the gateway: a millisecond to a few seconds. */
const REQUEST_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The gateway's Prometheus metrics (the process's default registry, like every other metric of
 * the hub: one `/metrics` serves them all): where a request's time goes, and what clients do.
 */
export class GatewayMetrics {
  readonly commandSeconds = processHistogram<'service' | 'pattern' | 'outcome'>({
    name: 'dockyard_command_seconds',
    help: 'Round trip of a command to a service (transport + handler)',
    labelNames: ['service', 'pattern', 'outcome'],
    buckets: REQUEST_BUCKETS,
  });
  readonly readYourWritesSeconds = processHistogram<'projection'>({
    name: 'dockyard_read_your_writes_wait_seconds',
    help: 'Time a write waited for the read model it must be visible in',
    labelNames: ['projection'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
  });
  readonly requestSeconds = processHistogram<'method' | 'route' | 'status'>({
    name: 'dockyard_http_request_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: REQUEST_BUCKETS,
  });
  /** Counted where the hub records the activity: a pull is an image list read, a push its final image list. */
  readonly pulls = processCounter({ name: 'dockyard_pulls_total', help: 'Image pulls (repository image list reads)' });
  readonly pushes = processCounter({ name: 'dockyard_pushes_total', help: 'Image pushes (final image list writes)' });
  /** Basic credentials the accounts service refused (wrong password or unknown user). */
  readonly failedLogins = processCounter({ name: 'dockyard_failed_logins_total', help: 'Logins refused for wrong credentials' });
}
