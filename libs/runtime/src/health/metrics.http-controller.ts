import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { register } from 'prom-client';

/** `GET /metrics`: the process's default registry in the Prometheus text format (HEALTH_PORT only: no credentials). */
@Controller()
export class MetricsHttpController {
  @Get('metrics')
  async scrape(@Res() reply: FastifyReply) {
    void reply.type(register.contentType).send(await register.metrics());
  }
}
