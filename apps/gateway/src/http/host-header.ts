/** A DNS name (labels of letters, digits, `-`, `_`), an IPv4 address, or a bracketed IPv6 address. */
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::([0-9]{1,5}))?$/;

/**
 * Is `value` exactly one `host[:port]`? No scheme, path, query, user-info, list, blank or control
 * character: it is repeated to docker clients as where to send their layers.
 */
export function isHostAndPort(value: string): boolean {
  if (value.length > 260) return false;
  const match = HOST.exec(value);
  if (!match) return false;
  return match[1] === undefined || (Number(match[1]) >= 1 && Number(match[1]) <= 65535);
}
