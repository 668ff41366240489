/** Facts the tokens service publishes on `dockyard.tokens.events` (never the token itself). */
export const TOKENS_EVENTS = {
  TokenIssued: 'TokenIssued',
} as const;

export interface TokenIssuedV1 {
  tokenId: string;
  repository: string;
  repositoryId: string;
  access: 'read' | 'write' | 'delete';
  username: string | null;
  expiresAt: string;
}

export const tokenStreamId = (tokenId: string): string => `token-${tokenId}`;
