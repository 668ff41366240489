/**
 * Names nobody may register, because the hub gives them a meaning: `library` is the admins'
 * namespace, and the rest are words the routes use as path segments (a user named `search` would
 * own `/v1/repositories/search/...` next to `/v1/search`, and one named `admin` would look like the
 * hub's own). Organizations (a later issue) share the rule, since they share the namespace space.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'library',
  'admin',
  'admins',
  'administrator',
  'root',
  'system',
  'dockyard',
  'docker',
  'official',
  'users',
  'user',
  'repositories',
  'repository',
  'images',
  'image',
  'tags',
  'search',
  'audit',
  'organizations',
  'organization',
  'orgs',
  'teams',
  'v1',
  'v2',
  '_ping',
  'ping',
  'metrics',
  'healthz',
  'readyz',
  'login',
  'logout',
  'auth',
  'token',
  'tokens',
  'api',
  'www',
  'help',
  'support',
  'security',
  'anonymous',
]);

export const isReservedName = (name: string): boolean => RESERVED_NAMES.has(name);
