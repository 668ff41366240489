import { DomainError, TokenAccess } from '@dockyard/contracts';

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
}

export interface ParsedToken {
  signature: string;
  repository: string;
  access: string;
}

const ACCESS = new Set(['read', 'write', 'delete']);

/** Reads `signature=...,repository="ns/repo",access=...` (seed 000's format, in any order). */
export function parseToken(raw: unknown): ParsedToken {
  if (typeof raw !== 'string') throw new DomainError('forbidden', 'Invalid token');
  const signature = /(?:^|,)\s*signature=([A-Za-z0-9_.-]+)/.exec(raw)?.[1];
  const repository = /(?:^|,)\s*repository="([^"]+)"/.exec(raw)?.[1];
  const access = /(?:^|,)\s*access=([a-z]+)/.exec(raw)?.[1];
  if (!signature || !repository || !access || !ACCESS.has(access)) throw new DomainError('forbidden', 'Invalid token');
  return { signature, repository, access };
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
