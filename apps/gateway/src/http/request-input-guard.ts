import { Readable } from 'node:stream';
import { FastifyInstance, FastifyRequest } from 'fastify';
import { UnsupportedMediaTypeException } from '@nestjs/common';
import { DomainError } from '@dockyard/contracts';
import { idempotencyKeyOf } from './command-identity';
import { rawHeaderLines } from './raw-header-lines';
import { refuseControlCharacters, refuseControlCharactersInJson } from './control-characters';

/** Headers whose values the hub reads, compares or stores (Authorization is checked once decoded). */
const READ_HEADERS = ['host', 'x-docker-token', 'x-docker-checksum', 'x-docker-checksum-payload', 'range', 'content-type'];

/** Seed 004's free-text fields: people write them on several lines. */
const FREE_TEXT = new Set(['description', 'full_description']);

/** The registry's image json is opaque: stored byte for byte (the client's payload checksum covers it). */
const OPAQUE_JSON_ROUTES = new Set(['PUT /v1/images/:id/json']);

/** The only route whose body is a stream (layers); every other body must be JSON. */
const STREAM_ROUTES = new Set(['PUT /v1/images/:id/layer']);

const routeOf = (request: FastifyRequest) => `${request.method} ${request.routeOptions.url ?? ''}`;

const hasBody = (request: FastifyRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/** HTTP/1.1 needs exactly one Host (RFC 9112 §3.2): none, or two lines (Node keeps the first and drops the rest), is a 400. */
function refuseUnlessOneHost(request: FastifyRequest): void {
  const lines = rawHeaderLines(request, 'host');
  if (lines > 1 || (lines === 0 && request.raw.httpVersion === '1.1')) {
    throw new DomainError('invalid', 'An HTTP/1.1 request needs exactly one Host header');
  }
}

/**
 * One check of everything a request brings before any route sees it: control characters in path
 * parts, query values, the headers the hub reads and every JSON string of the body are a 400 (NUL
 * cannot be stored in PostgreSQL text; the others are in no name, id or e-mail); a body that is not
 * JSON is a 415, except on the layer route. Errors leave through the HubExceptionFilter like any other.
 */
export function registerRequestInputGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    refuseUnlessOneHost(request);
    for (const [name, value] of Object.entries((request.params as Record<string, unknown>) ?? {})) {
      if (typeof value === 'string') refuseControlCharacters(value, `The path part ${name}`);
    }
    for (const [name, value] of Object.entries((request.query as Record<string, unknown>) ?? {})) {
      for (const item of ([] as unknown[]).concat(value)) {
        if (typeof item === 'string') refuseControlCharacters(item, 'A query parameter');
      }
      refuseControlCharacters(name, 'A query parameter');
    }
    for (const name of READ_HEADERS) {
      const value = request.headers[name];
      for (const item of ([] as unknown[]).concat(value ?? [])) {
        if (typeof item === 'string') refuseControlCharacters(item, `The ${name} header`);
      }
    }
    idempotencyKeyOf(request);
    const route = routeOf(request);
    if (request.body instanceof Readable) {
      if (!STREAM_ROUTES.has(route) && !OPAQUE_JSON_ROUTES.has(route) && hasBody(request)) {
        throw new UnsupportedMediaTypeException('The body must be JSON (Content-Type: application/json)');
      }
      return;
    }
    if (!OPAQUE_JSON_ROUTES.has(route)) refuseControlCharactersInJson(request.body, FREE_TEXT);
  });
}
