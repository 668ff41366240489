import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics: where a request's time goes (commands, read-your-writes). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly commandSeconds = new Histogram({
    name: 'dockyard_command_seconds',
    help: 'Round trip of a command to a service (transport + handler)',
    labelNames: ['service', 'pattern', 'outcome'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly readYourWritesSeconds = new Histogram({
    name: 'dockyard_read_your_writes_wait_seconds',
    help: 'Time a write waited for the read model it must be visible in',
    labelNames: ['projection'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });
  readonly requestSeconds = new Histogram({
    name: 'dockyard_http_request_seconds',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
