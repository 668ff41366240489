/**
 * A rule a command broke. `code` travels in command replies and the gateway maps it to an HTTP
 * status; `message` is safe to show to the client.
 */
export type DomainErrorCode =
  | 'invalid' // 400
  | 'already-exists' // 400 for users (the docker client's contract), 409 elsewhere
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'inactive' // 403
  | 'not-found' // 404
  | 'conflict' // 409: lost a race on an aggregate
  | 'unavailable'; // 503: a service did not answer in time

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const isDomainError = (error: unknown): error is DomainError =>
  error instanceof DomainError ||
  (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'DomainError');
