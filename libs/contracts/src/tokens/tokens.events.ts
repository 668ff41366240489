/** Facts the tokens service publishes on `dockyard.tokens.events` (never the token itself). */
export const TOKENS_EVENTS = {
  TokenIssued: 'TokenIssued',
} as const;

/**
 * Appended for every token issued to a user, and for anonymous write/delete grants. Anonymous read
 * tokens (every anonymous pull) are issued without an event: they are stateless. A gateway that
 * signs tokens itself sends its grants in batches (`tokens.record-issued`); the tokens service
 * appends each once, at stream `token-<tokenId>` version 1.
 */
export interface TokenIssuedV1 {
  tokenId: string;
  repository: string;
  repositoryId: string;
  access: 'read' | 'write' | 'delete';
  username: string | null;
  expiresAt: string;
  /** The key id of the issuer that signed it (a gateway replica's, or the tokens service's). */
  kid?: string;
}

export const tokenStreamId = (tokenId: string): string => `token-${tokenId}`;

