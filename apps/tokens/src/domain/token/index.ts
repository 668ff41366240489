/** The token's format and the checks of a verified grant are shared with the gateway: libs/contracts. */
export type { TokenGrant, ParsedToken } from '@dockyard/contracts';
export { parseToken, formatToken, checkGrant } from '@dockyard/contracts';
