import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { register } from 'prom-client';
import { DomainError } from '@dockyard/contracts';
import { Authenticator } from '../auth/authenticator';
import { GATEWAY } from '../gateway.tokens';

/**
 * `GET /metrics` in the Prometheus text format, for admins only (Basic credentials): on the public
 * port the routes, error rates and process details would be a map for an attacker. The same text
 * is served without credentials on HEALTH_PORT (distributed mode), which is not exposed publicly.
 */
@Controller()
export class MetricsHttpController {
  constructor(
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
  ) {}

  @Get('metrics')
  async scrape(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const principal = await this.authenticator.requireActive(request);
    if (!principal.admin) throw new DomainError('forbidden', 'Metrics are for admins only');
    void reply.type(register.contentType).send(await register.metrics());
  }
}
