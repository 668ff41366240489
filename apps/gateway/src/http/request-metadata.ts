import { FastifyRequest } from 'fastify';
import { MessageMetadata } from '@dockyard/contracts';

/** The metadata every command caused by this request carries (correlation id = request id). */
export function requestMetadata(request: FastifyRequest, actor?: string): MessageMetadata {
  return { correlationId: request.id, requestId: request.id, actor: actor ? `user:${actor}` : 'anonymous' };
}
