import { FastifyRequest } from 'fastify';
import { MessageMetadata } from '@dockyard/contracts';
import { nextCommandId } from './command-identity';

/**
 * The metadata of the next command this request causes (correlation id = request id), with its
 * command id: call it once per command sent, in the order they are sent. Read-only commands
 * (authenticate, validate) carry no command id and take no ordinal.
 */
export function requestMetadata(request: FastifyRequest, actor?: string): MessageMetadata {
  const who = actor ? `user:${actor}` : 'anonymous';
  return { correlationId: request.id, requestId: request.id, actor: who, commandId: nextCommandId(request, who) };
}
