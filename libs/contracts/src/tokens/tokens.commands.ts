import { MessageMetadata } from '../event-envelope';
import { TokenIssuedV1 } from './tokens.events';

export const TOKENS_COMMANDS = {
  IssueToken: 'tokens.issue',
  ValidateToken: 'tokens.validate',
  /** A gateway's batch of the grants it signed itself: appended as TokenIssued events, once each. */
  RecordIssuedTokens: 'tokens.record-issued',
} as const;

export type TokenAccess = 'read' | 'write' | 'delete';

export interface IssueTokenCommand {
  /** `namespace/name`, library repositories as `library/name`. */
  repository: string;
  repositoryId: string;
  access: TokenAccess;
  /** Null for anonymous pulls of public repositories. */
  user: { username: string; credentialsVersion: number } | null;
}
export interface IssueTokenReply {
  /** The `X-Docker-Token` value: `signature=...,repository="ns/repo",access=...`. */
  token: string;
}

export interface ValidateTokenCommand {
  /** What followed `Token ` in the Authorization header. */
  token: string;
  repository: string;
  /** The access the call needs; `any` accepts every access (registry → index checks). */
  access: TokenAccess | 'any';
}
export interface ValidateTokenReply {
  repositoryId: string;
  access: TokenAccess;
  username: string | null;
}

/** One grant a gateway signed: what TokenIssued records, and the metadata of the request it answered. */
export interface IssuedTokenRecord {
  event: TokenIssuedV1;
  metadata: MessageMetadata;
  /** When the gateway signed it (ISO 8601): the event's `occurredAt`, though it is appended later. */
  issuedAt?: string;
}
export interface RecordIssuedTokensCommand {
  grants: IssuedTokenRecord[];
}
export interface RecordIssuedTokensReply {
  /** How many TokenIssued events were appended: grants recorded before (a replayed batch) count nothing. */
  appended: number;
}
