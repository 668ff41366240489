/** How long a service waits at start for its database to accept a connection. */
export const DATABASE_CONNECT_TIMEOUT_MS = 10000;

/** `url` without its password, for messages and logs; a URL that is not a PostgreSQL URL is not echoed. */
export function redactedDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (/^postgres(ql)?:$/.test(parsed.protocol) && parsed.host) {
      parsed.password = '';
      return parsed.toString();
    }
  } catch {
    // not a URL: said below
  }
  return '(a database URL that does not parse as postgres://...)';
}

/**
 * A database a service cannot connect to at start, named as its operator configured it: a bare
 * `connect ECONNREFUSED 127.0.0.1:5432` said neither which setting was wrong nor which service's
 * database it was. The URL is shown without its password.
 */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, schema: string, cause: unknown) {
    const reason =
      cause instanceof Error ? cause.message || String((cause as { code?: string }).code) : String(cause);
    super(
      `the database of schema "${schema}" at ${redactedDatabaseUrl(url)} cannot be reached (${reason}): ` +
        `check DATABASE_URL (or ${schema.toUpperCase()}_DATABASE_URL) and that PostgreSQL is running there`,
      { cause },
    );
    this.name = 'DatabaseUnreachableError';
  }
}
