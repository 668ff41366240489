import { DomainError } from '@dockyard/contracts';

/**
 * Error codes of a dependency that is down or restarting, not of a bug: node's socket errors and
 * PostgreSQL's connection-exception class (08xxx) and shutdown codes (57P01-57P03). The caller
 * should retry later, so these travel as `unavailable` (HTTP 503 with Retry-After), never as 500.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
const POSTGRES_SHUTDOWN = new Set(['57P01', '57P02', '57P03']);

export function isOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || POSTGRES_SHUTDOWN.has(code) || /^08/.test(code))) return true;
  // node-postgres reports a connection lost mid-query without a code.
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /^Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message);
}

/** `error` as the caller should see it: an outage becomes DomainError('unavailable'), anything else unchanged. */
export function asOutage(error: unknown, what: string): unknown {
  return isOutage(error) ? new DomainError('unavailable', `${what} is temporarily unavailable`) : error;
}
