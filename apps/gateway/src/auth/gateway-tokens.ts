import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { IssueTokenCommand, MessageMetadata, TokenAccess, TokenGrant, checkGrant, formatToken, grantOf, isAuditedGrant, parseToken, tokenIssuedOf } from '@dockyard/contracts';
import { settledWithin } from '@dockyard/messaging';
import { TokenKeys } from '@dockyard/token-keys';
import { IssuedTokensAudit } from './issued-tokens-audit';

/** Signatures whose MAC passed, kept with their grants (about half a kilobyte each). */
const VERIFIED_SIGNATURES_KEPT = 10_000;

/** How long one anonymous read token of a repository is given to every anonymous pull of it. */
const ANONYMOUS_TOKEN_REUSE_MS = 5_000;

/** How long a stopping gateway waits to send the audit of the last tokens it signed. */
const AUDIT_FLUSH_ON_STOP_MS = 3000;

/** What a token is issued for: the repository, the access, the user (null: anonymous). */
export type TokenRequest = IssueTokenCommand;

/**
 * Repository tokens signed and verified in the gateway itself, with this replica's issuing key
 * derived from the master key DOCKYARD_TOKEN_KEY (libs/token-keys), so an index call answers with a
 * token without a round trip to the tokens service, and a pull's registry calls are checked
 * without one. Audited grants go to the tokens service in batches (IssuedTokensAudit).
 */
export class GatewayTokens {
  /**
   * A pull presents one token on each of its registry calls (8 for a 3-layer image). Decoding its
   * grant and checking its MAC each time was 4 % of a standalone hub's CPU under pulls (a CPU
   * profile). Only signatures whose MAC passed (or that this gateway signed) are kept, so nothing
   * an attacker made is; expiry, repository and access are still checked on every call.
   */
  private readonly verified = new LRUCache<string, TokenGrant>({ max: VERIFIED_SIGNATURES_KEPT });
  /**
   * The anonymous read token last signed for a repository (by id and name), and until when it is
   * handed out again. Signing one for every anonymous pull was 6–8 % of the hub's CPU on `GET
   * .../images` with `X-Docker-Token: true`. Sharing one is safe: it grants what the repository
   * being public grants anyone, it is not audited, nothing is keyed by its id, and it is checked on
   * every use (a repository made private refuses it, one deleted and created again has another id).
   */
  private readonly anonymousReads = new LRUCache<string, { token: string; until: number }>({ max: VERIFIED_SIGNATURES_KEPT });

  constructor(
    private readonly keys: TokenKeys,
    private readonly audit: IssuedTokensAudit,
    private readonly ttlSeconds: number,
  ) {}

  issue(request: TokenRequest, metadata: MessageMetadata): string {
    const now = Date.now();
    // As the tokens service does: anonymous read grants (every anonymous pull) are not audited.
    const audited = isAuditedGrant({ username: request.user?.username ?? null, access: request.access });
    const repository = `${request.repositoryId}\u0000${request.repository}`;
    const kept = audited ? undefined : this.anonymousReads.get(repository);
    if (kept && kept.until > now) return kept.token;
    const grant = grantOf(request, randomUUID(), this.ttlSeconds, now);
    const signature = this.keys.sign(grant);
    this.verified.set(signature, Object.freeze({ ...grant, kid: this.keys.kid }));
    const token = formatToken(signature, grant);
    if (audited) {
      this.audit.record({ event: tokenIssuedOf(grant, this.keys.kid), metadata, issuedAt: new Date(now).toISOString() });
    } else {
      // Never handed out within a second of its expiry (DOCKYARD_TOKEN_TTL_SECONDS may be short).
      this.anonymousReads.set(repository, { token, until: Math.min(now + ANONYMOUS_TOKEN_REUSE_MS, grant.expiresAt * 1000 - 1000) });
    }
    return token;
  }

  /**
   * The grant of a token one of this hub's issuers signed, checked for this call: MAC (under the
   * issuer's derived key), expiry, repository, access. 403 otherwise. Revocation is the caller's part.
   */
  verify(token: string, repository: string, access: TokenAccess | 'any'): TokenGrant {
    const presented = parseToken(token);
    let grant = this.verified.get(presented.signature);
    if (!grant) {
      grant = Object.freeze(this.keys.verify(presented.signature));
      this.verified.set(presented.signature, grant);
    }
    checkGrant(grant, presented, { repository, access, now: Math.floor(Date.now() / 1000) });
    return grant;
  }

  /**
   * Nest's shutdown hook (the gateway registers this as a provider): the last grants' audit is sent,
   * not dropped, unless the tokens service or the broker is away: then the stop waits only so long
   * (each attempt is a command with its own timeout, and an attempt may already be waiting), and
   * those grants are lost as a crash would lose them.
   */
  async onModuleDestroy(): Promise<void> {
    await settledWithin(AUDIT_FLUSH_ON_STOP_MS, this.audit.flush());
  }
}

/**
 * The gateway's token signer when DOCKYARD_TOKEN_KEY is set; without it (a distributed hub not
 * given the key) null: the gateway asks the tokens service to issue and validate every token.
 */
export function gatewayTokensFromEnvironment(
  masterKey: string | undefined,
  audit: () => IssuedTokensAudit,
  ttlSeconds: number,
): GatewayTokens | null {
  return masterKey ? new GatewayTokens(TokenKeys.fromSecret(masterKey), audit(), ttlSeconds) : null;
}
