import { FastifyRequest } from 'fastify';

/**
 * How many header lines named `name` (lower case) the request carried. Node joins repeated headers
 * into one value, or keeps only the first (Host); the raw lines tell one from several. A loop, no
 * array: it runs on every request.
 */
export function rawHeaderLines(request: FastifyRequest, name: string): number {
  const raw = request.raw.rawHeaders;
  let lines = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) lines++;
  return lines;
}
