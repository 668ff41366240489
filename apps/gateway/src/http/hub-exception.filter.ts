import { ArgumentsHost, Catch, ExceptionFilter, HttpException, NotFoundException } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { isDomainError } from '@dockyard/contracts';
import { Logger } from '@dockyard/runtime';
import { isOutage } from '@dockyard/messaging';
import { DOMAIN_ERROR_STATUS } from './error-status';
import { NotVisibleYet } from './read-your-writes';

const UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export const BASIC_CHALLENGE = 'Basic realm="auth required",Token';

/**
 * Every failure leaves as `{"error": "..."}` with a 4xx status for bad input. Only a genuine fault
 * is a 500, logged with the request id, its details never sent to the client; a write not visible
 * in time (503) is logged as a warning. The request id is the correlation id of everything the
 * request caused, and the gateway runs no AsyncLocalStorage scope (see `configureGatewayApp`), so
 * the lines logged here name it themselves.
 */
@Catch()
export class HubExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, message } = this.describe(exception);
    if (status >= 500 && status !== 503) {
      this.logger.error({ err: exception, correlationId: request.id, requestId: request.id, url: request.url }, 'request failed');
    }
    if (exception instanceof NotVisibleYet) {
      const { projection, written } = exception;
      this.logger.warn(
        { correlationId: request.id, requestId: request.id, url: request.url, projection, written },
        'read model did not catch up in time; answering 503',
      );
    }
    if (status === 401) void reply.header('WWW-Authenticate', BASIC_CHALLENGE);
    const retryAfter = (exception as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
    if (status === 429 && typeof retryAfter === 'number') void reply.header('Retry-After', String(retryAfter));
    // Unavailable means a service, the broker or a database is down or restarting: come back soon.
    if (status === 503) void reply.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    void reply.status(status).type('application/json').send(JSON.stringify({ error: message }));
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (isOutage(exception)) return { status: 503, message: 'the hub is temporarily unavailable; retry shortly' };
    if (isDomainError(exception)) return { status: DOMAIN_ERROR_STATUS[exception.code] ?? 500, message: exception.message };
    // Nest's router says `Cannot GET /the/path`: a refusal does not repeat what the client sent.
    if (exception instanceof NotFoundException && /^Cannot [A-Z]+ /.test(exception.message)) return { status: 404, message: 'No such route' };
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? ([] as unknown[]).concat((response as { message: unknown }).message).join('; ')
          : exception.message;
      return { status: exception.getStatus(), message };
    }
    // Fastify's own errors (body too large, unsupported media type, ...) arrive as HttpExceptions
    // (framework-errors); other client errors raised with a status: our parser's malformed JSON.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, message: (exception as Error).message };
    }
    return { status: 500, message: 'Internal error' };
  }
}
