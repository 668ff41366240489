import { DomainErrorCode } from '@dockyard/contracts';

/** How a rule a service reported reads in HTTP. */
export const DOMAIN_ERROR_STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  'already-exists': 409,
  unauthenticated: 401,
  forbidden: 403,
  inactive: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};
