import { randomUUID } from 'node:crypto';
import {
  DomainError,
  IssueTokenCommand,
  IssueTokenReply,
  MessageMetadata,
  RecordIssuedTokensCommand,
  RecordIssuedTokensReply,
  TOKENS_EVENTS,
  ValidateTokenCommand,
  ValidateTokenReply,
  grantOf,
  isAuditedGrant,
  tokenIssuedOf,
  tokenStreamId,
} from '@dockyard/contracts';
import { EventStore } from '@dockyard/eventstore';
import { TokenKeys } from '@dockyard/token-keys';
import { checkGrant, formatToken, parseToken } from '../domain/token';
import { IssuedTokensLog } from '../infrastructure/issued-tokens.log';
import { Revocations } from '../infrastructure/revocations';

const ACCESS = new Set(['read', 'write', 'delete']);

/**
 * Issues and checks repository access tokens. Tokens are multi-use until they expire (a long push
 * reuses one for every layer; protocol.md §3 rows 6–7) and are void once their repository is
 * deleted, their user's password changes, or their user leaves the organization (or a team of it) that owns
 * the repository.
 */
export class TokensHandlers {
  constructor(
    private readonly keys: TokenKeys,
    private readonly revocations: Revocations,
    private readonly store: EventStore,
    private readonly issued: IssuedTokensLog,
    private readonly ttlSeconds: number,
  ) {}

  async issue(command: IssueTokenCommand, metadata: MessageMetadata): Promise<IssueTokenReply> {
    if (!ACCESS.has(command.access) || typeof command.repository !== 'string') {
      throw new DomainError('invalid', 'Invalid token request');
    }
    const grant = grantOf(command, randomUUID(), this.ttlSeconds);
    const token = { token: formatToken(this.keys.sign(grant), grant) };
    // An anonymous read token is what every anonymous pull of a public repository gets: appending
    // a permanent event for each would grow the log with traffic, not with facts. It stays
    // stateless (signed, expiring, void once its repository is deleted); pulls are counted on the
    // activity topic. Tokens for users are audited.
    if (!isAuditedGrant(grant)) return token;
    // The audit trail of who was granted what; the token itself is never stored or published.
    await this.store.append(tokenStreamId(grant.tokenId), 0, [{ type: TOKENS_EVENTS.TokenIssued, data: { ...tokenIssuedOf(grant, this.keys.kid) } }], metadata);
    return token;
  }

  /**
   * The grants a gateway signed itself, sent in batches after the fact: each becomes its TokenIssued
   * event once, however often the batch is delivered.
   */
  async recordIssued(command: RecordIssuedTokensCommand): Promise<RecordIssuedTokensReply> {
    return { appended: await this.issued.append(command.grants) };
  }

  async validate(command: ValidateTokenCommand): Promise<ValidateTokenReply> {
    const presented = parseToken(command.token);
    const grant = this.keys.verify(presented.signature);
    checkGrant(grant, presented, {
      repository: command.repository,
      access: command.access,
      now: Math.floor(Date.now() / 1000),
    });
    // A token signed before issuedAt existed is dated by its expiry, as issued a full lifetime before.
    const issuedAt = grant.issuedAt ?? (grant.expiresAt - this.ttlSeconds) * 1000;
    if (await this.revocations.voids({ ...grant, issuedAt })) {
      throw new DomainError('forbidden', 'Token was revoked');
    }
    return { repositoryId: grant.repositoryId, access: grant.access, username: grant.username };
  }
}

