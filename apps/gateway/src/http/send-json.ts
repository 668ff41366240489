import { FastifyReply } from 'fastify';

/**
 * Sends `value` as JSON. The v1 protocol answers many calls with a bare JSON string (`"OK"`,
 * `"User Created"`) that clients compare byte for byte, so strings are serialised too, never sent
 * as text.
 */
export function sendJson(reply: FastifyReply, status: number, value: unknown): void {
  void reply.status(status).type('application/json').send(JSON.stringify(value));
}
