import { refuseControlCharacters } from '../http/control-characters';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

export interface BasicCredentials {
  username: string;
  password: string;
}

/**
 * Reads `Authorization: Basic base64(user:pass)`. Returns null when the header is absent or not
 * Basic; an empty pair (`Basic Og==`, what a logged-out docker client sends) comes back empty so the
 * caller answers 401 and the client offers a login. Decoded credentials holding a control character
 * (a NUL would reach PostgreSQL text and fail there) are a 400: no account can have them.
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | null {
  if (!header) return null;
  const match = /^Basic\s+(\S*)\s*$/i.exec(header);
  if (!match) return null;
  // Not base64 at all is garbage, not credentials: the empty pair (401), like a pair without a colon.
  if (!BASE64.test(match[1])) return { username: '', password: '' };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  refuseControlCharacters(decoded, 'The Basic credentials');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { username: '', password: '' };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
