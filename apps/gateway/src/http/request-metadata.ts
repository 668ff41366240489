import { FastifyRequest } from 'fastify';
import { MessageMetadata, RequestOrigin } from '@dockyard/contracts';
import { nextCommandId, notedCaller } from './command-identity';

/** Longest User-Agent kept: enough for any real client, bounded for the stores. */
const USER_AGENT_MAX = 512;

/**
 * Which HTTP request something came from: its id, the client's address (`request.ip`, which is the
 * `X-Forwarded-For` client only when `DOCKYARD_TRUST_PROXY` trusts the proxy: gatewayAdapter) and
 * its User-Agent. Travels in every command and event the request causes, and in its activity.
 */
export function requestOrigin(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return {
    requestId: request.id,
    sourceIp: request.ip,
    ...(typeof agent === 'string' && agent ? { userAgent: agent.slice(0, USER_AGENT_MAX) } : {}),
  };
}

/**
 * The user the request was authenticated as (Basic, or the holder of a repository token), as a
 * MessageMetadata actor; `anonymous` otherwise. Routes that do not name the actor themselves (the
 * registry's image routes, a token's push) still tell the auditor who it was.
 */
export function actorOf(request: FastifyRequest): string {
  const caller = notedCaller(request);
  if (caller?.startsWith('user:')) return caller;
  const holder = caller?.startsWith('token:') ? caller.split(':')[1] : undefined;
  return holder && holder !== 'anonymous' ? `user:${holder}` : 'anonymous';
}

/** Metadata of a read-only command (authenticate, validate): no command id, no ordinal. */
export function readMetadata(request: FastifyRequest): MessageMetadata {
  return { correlationId: request.id, ...requestOrigin(request), actor: 'anonymous' };
}

/**
 * The metadata of the next command this request causes (correlation id = request id), with its
 * command id: call it once per command sent, in the order they are sent. Read-only commands
 * (authenticate, validate) carry no command id and take no ordinal.
 */
export function requestMetadata(request: FastifyRequest, actor?: string): MessageMetadata {
  const who = actor ? `user:${actor}` : actorOf(request);
  return { correlationId: request.id, ...requestOrigin(request), actor: who, commandId: nextCommandId(request, who) };
}
