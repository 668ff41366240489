import { DynamicModule, Inject, Module, OnModuleDestroy } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HUB_RUNTIME, HubRuntime } from '../hub-runtime';
import { MetricsHttpController } from './metrics.http-controller';
import { ProbesHttpController } from './probes.http-controller';
import { watchProcessMetrics } from './process-metrics';
import { ReadinessChecks } from './readiness-checks';

const UNWATCH = Symbol('UnwatchProcessMetrics');

/**
 * `/healthz`, `/readyz` and (with `metrics`) `/metrics` for a process's runtime: the HTTP app on
 * HEALTH_PORT of every distributed process (health-server.ts), and imported by the gateway module
 * for the probes on its public port (where `/metrics` is its own, admin-only).
 */
@Module({})
export class HealthModule implements OnModuleDestroy {
  constructor(@Inject(UNWATCH) private readonly unwatch: () => void) {}

  static forRuntime(runtime: HubRuntime, options: { metrics: boolean }): DynamicModule {
    return {
      module: HealthModule,
      // Terminus logs every failed check; a probe every few seconds against a down broker would
      // flood the log, and the 503 body already names the failing checks.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: options.metrics ? [ProbesHttpController, MetricsHttpController] : [ProbesHttpController],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: UNWATCH, useFactory: () => watchProcessMetrics(runtime.bus) },
        ReadinessChecks,
      ],
    };
  }

  onModuleDestroy(): void {
    this.unwatch();
  }
}
