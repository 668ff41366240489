import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { FastifyReply } from 'fastify';
import { ReadinessChecks } from './readiness-checks';

/**
 * `GET /healthz` (the process is alive: it answers) and `GET /readyz` (it can serve: Terminus runs
 * ReadinessChecks), without authentication: probes of an orchestrator and load balancer. A
 * process that is not ready answers 503 with the hub's `{"error": ...}` naming the failing
 * checks, plus Terminus's details.
 */
@Controller()
export class ProbesHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly checks: ReadinessChecks,
  ) {}

  @Get('healthz')
  alive() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready(@Res() reply: FastifyReply) {
    try {
      void reply.send(await this.health.check(this.checks.all()));
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const failing = Object.keys(result.error ?? {});
      void reply
        .code(503)
        .header('Cache-Control', 'no-store')
        .send({ ...result, error: `not ready: ${failing.join(', ')}`, failing: result.error });
    }
  }
}
