import { createHash, randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { DomainError } from '@dockyard/contracts';
import { rawHeaderLines } from './raw-header-lines';

/** `Idempotency-Key`: 1–200 printable ASCII characters (space to tilde). */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

/** The request's `Idempotency-Key`, validated (a 400 when malformed or sent twice), or undefined. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const value = request.headers['idempotency-key'];
  if (value === undefined) return undefined;
  // Node joins a repeated header into one value ("k1, k2"), which is printable ASCII too.
  if (typeof value !== 'string' || rawHeaderLines(request, 'idempotency-key') > 1 || !IDEMPOTENCY_KEY.test(value)) {
    throw new DomainError('invalid', 'The Idempotency-Key header must be one value of 1 to 200 printable ASCII characters');
  }
  return value;
}

/** What a request's command ids are derived from. */
export interface CommandIdSource {
  /** The client's Idempotency-Key, if it sent one. */
  idempotencyKey?: string;
  /** Who sent it as the gateway authenticated it (`user:alice`, `token:alice:<repositoryId>`, `anonymous`). */
  caller: string;
  method: string;
  url: string;
  /** Unique per request (used when there is no key): a retry without a key is a new command. */
  requestNonce: string;
}

/**
 * The id of the `ordinal`-th command (0-based) a request sends. With an Idempotency-Key it is a
 * digest of the key scoped to the caller and the request line, so one user's key never names
 * another's command and a retry of the same request names the same commands; without one it is
 * unique to the request. A digest keeps the id short and keeps the key itself out of the stores.
 */
export function commandIdFor(source: CommandIdSource, ordinal: number): string {
  if (source.idempotencyKey === undefined) return `r:${source.requestNonce}:${ordinal}`;
  const scope = createHash('sha256')
    .update(JSON.stringify([source.caller, source.method, source.url, source.idempotencyKey]))
    .digest('base64url');
  return `k:${scope}:${ordinal}`;
}

interface RequestCommands {
  caller?: string;
  nonce: string;
  sent: number;
}

const perRequest = new WeakMap<FastifyRequest, RequestCommands>();

const stateOf = (request: FastifyRequest): RequestCommands => {
  let state = perRequest.get(request);
  if (!state) {
    state = { nonce: randomUUID(), sent: 0 };
    perRequest.set(request, state);
  }
  return state;
};

/** Records who the request was authenticated as (Basic user or token holder): its keys' scope. */
export function noteCaller(request: FastifyRequest, caller: string): void {
  stateOf(request).caller = caller;
}

/** Who the request was authenticated as (`noteCaller`), if anyone. */
export function notedCaller(request: FastifyRequest): string | undefined {
  return perRequest.get(request)?.caller;
}

/** The next command id of this request (commands are numbered in the order the request sends them). */
export function nextCommandId(request: FastifyRequest, actor: string): string {
  const state = stateOf(request);
  const source: CommandIdSource = {
    idempotencyKey: idempotencyKeyOf(request),
    caller: state.caller ?? actor,
    method: request.method,
    url: request.url,
    requestNonce: state.nonce,
  };
  return commandIdFor(source, state.sent++);
}
