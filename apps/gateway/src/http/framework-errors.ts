import { STATUS_CODES, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HttpException } from '@nestjs/common';
import { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** What a Fastify or Node HTTP error tells the client: a 4xx and the hub's own words, never Fastify's body. */
export interface FrameworkRefusal {
  status: number;
  message: string;
}

/**
 * Fastify's own refusals (`FST_ERR_*`), in the hub's words. The messages Fastify would send repeat
 * the client's path or header, or name Fastify; these say what was wrong. A path part longer than
 * the router takes is bad input like any other bad name: 400, not Fastify's 414.
 */
const FASTIFY_REFUSALS: Record<string, FrameworkRefusal> = {
  FST_ERR_BAD_URL: { status: 400, message: 'The request path is not valid (bad percent-encoding)' },
  FST_ERR_INVALID_URL: { status: 400, message: 'The request path is not valid' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, message: 'A part of the request path is too long' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'The body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'The Content-Type is not supported' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'The body does not match its Content-Length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'Malformed JSON body' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'Malformed JSON body' },
  FST_ERR_ROUTE_MISSING_CONTENT_TYPE: { status: 415, message: 'A Content-Type is required' },
  FST_ERR_ROUTE_MISSING_CONTENT: { status: 400, message: 'A body is required' },
  FST_ERR_NOT_FOUND: { status: 404, message: 'Not found' },
  FST_ERR_VALIDATION: { status: 400, message: 'The request is not valid' },
};

/** The hub's answer to a Fastify error, or undefined when it is not one of Fastify's client errors. */
export function fastifyRefusal(error: unknown): FrameworkRefusal | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in FASTIFY_REFUSALS) return FASTIFY_REFUSALS[code];
  // Any other Fastify client error keeps its status; its message may name Fastify's internals.
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, message: STATUS_CODES[statusCode] ?? 'Bad request' };
  }
  return undefined;
}

/**
 * A Fastify error as the HubExceptionFilter should see it. Nest turns a `FastifyError` into a bare
 * HttpException of its message and status before any filter runs, losing the code; so the gateway's
 * adapter hands errors through this first (GatewayFastifyAdapter.setErrorHandler).
 */
export function inHubWords(error: unknown): unknown {
  const refusal = fastifyRefusal(error);
  return refusal ? new HttpException(refusal.message, refusal.status) : error;
}

/**
 * Fastify's `frameworkErrors`: the refusals its router makes before any route, hook or Nest filter
 * runs (a bad percent-encoding, a path part longer than `maxParamLength`).
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const refusal = fastifyRefusal(error) ?? { status: 400, message: 'Bad request' };
  void reply.status(refusal.status).type('application/json').send(JSON.stringify({ error: refusal.message }));
}

/** What a request that stalls is told (Node's own header timeout, and the hub's idle timeout). */
export const REQUEST_TIMED_OUT = 'The request took too long to arrive';

/** Node's HTTP parser refusals (`clientError`): no request exists yet, so the answer is written raw. */
const PARSER_REFUSALS: Record<string, FrameworkRefusal> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: REQUEST_TIMED_OUT },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'The request headers are too large' },
  HPE_URI_OVERFLOW: { status: 414, message: 'The request path is too long' },
};
const MALFORMED_REQUEST: FrameworkRefusal = { status: 400, message: 'Malformed HTTP request (a control character or bad syntax in the request line or a header)' };

/**
 * Fastify's `clientErrorHandler`, as its default but with the hub's body: a control character in a
 * header or the request line, an oversized header block, a stalled request.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = PARSER_REFUSALS[error.code ?? ''] ?? MALFORMED_REQUEST;
  writeRawRefusal(socket, status, message);
  socket.destroy(error);
}

/**
 * A refusal answered through Node's response, before Fastify has one (an `Expect` Node asks about,
 * a body that stalled); the connection closes after it.
 */
export function endWithRefusal(response: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).end(body);
}

/** A refusal written on the socket itself, where Node has no request (yet) to answer through. */
export function writeRawRefusal(socket: Socket, status: number, message: string): void {
  if (!socket.writable) return;
  const body = JSON.stringify({ error: message });
  socket.write(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
  );
}
