import { Controller, Get, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { sendJson } from '../http/send-json';

/**
 * `GET /v1/_ping`, the first call of every docker client. Standalone is `false`: the hub is a real
 * index, so clients send its tokens to the registry routes (protocol.md §3 row 22).
 */
@Controller()
export class PingHttpController {
  @Get('v1/_ping')
  ping(@Res() reply: FastifyReply) {
    void reply.header('X-Docker-Registry-Version', '0.6.0').header('X-Docker-Registry-Standalone', 'false');
    sendJson(reply, 200, true);
  }

  /** docker 1.6+ tries v2 first; a v1-only hub must not claim `Docker-Distribution-API-Version`. */
  @Get('v2')
  v2(@Res() reply: FastifyReply) {
    sendJson(reply, 404, { error: 'This hub speaks the v1 API only' });
  }
}
