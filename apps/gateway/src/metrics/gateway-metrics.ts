import { Counter, Histogram } from 'prom-client';
import { processMetric } from '@dockyard/messaging';

/**
 * The gateway's Prometheus metrics (the process's default registry, like every other metric of
 * the hub: one `/metrics` serves them all): where a request's time goes, and what clients do.
 */
export class GatewayMetrics {
  readonly commandSeconds = processMetric(
    'dockyard_command_seconds',
    (name) =>
      new Histogram<'service' | 'pattern' | 'outcome'>({
        name,
        help: 'Round trip of a command to a service (transport + handler)',
        labelNames: ['service', 'pattern', 'outcome'],
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      }),
  );
  readonly readYourWritesSeconds = processMetric(
    'dockyard_read_your_writes_wait_seconds',
    (name) =>
      new Histogram<'projection'>({
        name,
        help: 'Time a write waited for the read model it must be visible in',
        labelNames: ['projection'],
        buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
      }),
  );
  readonly requestSeconds = processMetric(
    'dockyard_http_request_seconds',
    (name) =>
      new Histogram<'method' | 'route' | 'status'>({
        name,
        help: 'HTTP requests by route and status',
        labelNames: ['method', 'route', 'status'],
        buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      }),
  );
  /** Counted where the hub records the activity: a pull is an image list read, a push its final image list. */
  readonly pulls = processMetric('dockyard_pulls_total', (name) => new Counter({ name, help: 'Image pulls (repository image list reads)' }));
  readonly pushes = processMetric('dockyard_pushes_total', (name) => new Counter({ name, help: 'Image pushes (final image list writes)' }));
  /** Basic credentials the accounts service refused (wrong password or unknown user). */
  readonly failedLogins = processMetric('dockyard_failed_logins_total', (name) => new Counter({ name, help: 'Logins refused for wrong credentials' }));
}
