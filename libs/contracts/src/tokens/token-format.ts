import { DomainError } from '../domain-error';
import { IssueTokenCommand, TokenAccess } from './tokens.commands';
import { TokenIssuedV1 } from './tokens.events';

/** What a token grants, signed into it. */
export interface TokenGrant {
  tokenId: string;
  repository: string;
  repositoryId: string;
  access: TokenAccess;
  username: string | null;
  credentialsVersion: number | null;
  /** Epoch seconds. */
  expiresAt: number;
  /** Epoch milliseconds; absent in tokens signed before organizations existed. */
  issuedAt?: number;
  /**
   * Which issuing key signed it (libs/tokens: HMAC(master, "issuer:" + kid)); absent in tokens
   * signed with the master key itself, as every token was before issuers had their own keys.
   */
  kid?: string;
}

export interface ParsedToken {
  signature: string;
  repository: string;
  access: string;
}

/**
 * Exactly the shape `formatToken` writes: the signature (base64url payload, one dot, base64url MAC),
 * the repository, the access, in that order, nothing before, between or after. Anything else —
 * extra `.parts`, trailing garbage, a field given twice, reordered or extra fields — is refused, so
 * one issued token has exactly one accepted spelling.
 */
const TOKEN = /^signature=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),repository="([^"\\,\s]+)",access=(read|write|delete)$/;

/** Far above any token the hub issues; bounds the work done on hostile input. */
const MAX_TOKEN_LENGTH = 4096;

/** Reads `signature=...,repository="ns/repo",access=...` as the hub issues it (seed 000's format). */
export function parseToken(raw: unknown): ParsedToken {
  if (typeof raw !== 'string' || raw.length > MAX_TOKEN_LENGTH) throw new DomainError('forbidden', 'Invalid token');
  const match = TOKEN.exec(raw);
  if (!match) throw new DomainError('forbidden', 'Invalid token');
  return { signature: match[1], repository: match[2], access: match[3] };
}

/** The token's format on the wire: the signed grant, and the readable repository and access. */
export const formatToken = (signature: string, grant: TokenGrant): string =>
  `signature=${signature},repository="${grant.repository}",access=${grant.access}`;

/**
 * Whether a verified grant opens `repository` for `access` now. Revocation (deleted repository,
 * changed password) is checked by the caller, which knows the current facts.
 */
export function checkGrant(
  grant: TokenGrant,
  presented: ParsedToken,
  request: { repository: string; access: TokenAccess | 'any'; now: number },
): void {
  if (grant.repository !== presented.repository || grant.access !== presented.access) {
    throw new DomainError('forbidden', 'Invalid token');
  }
  if (grant.expiresAt <= request.now) throw new DomainError('forbidden', 'Token expired');
  if (grant.repository !== request.repository) throw new DomainError('forbidden', 'Token is for another repository');
  if (request.access !== 'any' && grant.access !== request.access) {
    throw new DomainError('forbidden', `Token does not grant ${request.access} access`);
  }
}

/** Whether a grant is audited: every grant to a user, and anonymous grants other than read. */
export const isAuditedGrant = (grant: { username: string | null; access: string }): boolean =>
  grant.username !== null || grant.access !== 'read';

/** TokenIssued's data for a grant signed under `kid`: the grant, never the token. */
export const tokenIssuedOf = (grant: TokenGrant, kid: string): TokenIssuedV1 => ({
  tokenId: grant.tokenId,
  repository: grant.repository,
  repositoryId: grant.repositoryId,
  access: grant.access,
  username: grant.username,
  expiresAt: new Date(grant.expiresAt * 1000).toISOString(),
  kid,
});

/** The grant of a token issued now for `request`, valid `ttlSeconds`. */
export const grantOf = (request: IssueTokenCommand, tokenId: string, ttlSeconds: number, now = Date.now()): TokenGrant => ({
  tokenId,
  repository: request.repository,
  repositoryId: request.repositoryId,
  access: request.access,
  username: request.user?.username ?? null,
  credentialsVersion: request.user?.credentialsVersion ?? null,
  expiresAt: Math.floor(now / 1000) + ttlSeconds,
  issuedAt: now,
});
