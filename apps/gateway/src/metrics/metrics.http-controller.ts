import { Controller, Get, Inject, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { GATEWAY } from '../gateway.tokens';
import { GatewayMetrics } from './gateway-metrics';

/** `GET /metrics` in the Prometheus text format. */
@Controller()
export class MetricsHttpController {
  constructor(@Inject(GATEWAY.metrics) private readonly metrics: GatewayMetrics) {}

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply) {
    void reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
  }
}
