import { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

/**
 * JSON bodies, parsed with Fastify's own prototype-poisoning-safe parser, except that an empty body
 * is "no body" rather than an error: the docker client sends `Content-Type: application/json` on
 * calls without one (DELETE, PUT .../auth).
 */
export function registerJsonContentParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    // The registry's image json is kept byte for byte: the client's payload checksum covers it.
    (request as typeof request & { rawJson?: string }).rawJson = body as string;
    const text = (body as string).trim();
    if (text === '') return done(null, undefined);
    try {
      done(null, secureJson.parse(text));
    } catch {
      done(Object.assign(new Error('Malformed JSON body'), { statusCode: 400 }), undefined);
    }
  });
}

/**
 * Every other content type (layers: application/octet-stream, chunked) is not read here: the route
 * gets the request stream as its body and streams it on, so no body limit applies and nothing is
 * buffered whole. Routes that expect JSON reject a stream body with 415 (request-input-guard).
 */
export function registerStreamContentParser(app: FastifyInstance): void {
  // Fastify reads text/plain as a string by default; the v1 API has no text bodies, so it is a
  // stream like every other type and routes that expect JSON refuse it with 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}
