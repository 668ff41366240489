import { DatabaseUnreachableError, redactedDatabaseUrl } from './database-unreachable';

describe('DatabaseUnreachableError', () => {
  it('names the schema, its settings and the server, never the password', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });
    const error = new DatabaseUnreachableError(
      'postgres://hub:s3cret@10.0.0.7:5432/dockyard',
      'tokens',
      cause,
    );
    expect(error.message).toBe(
      'the database of schema "tokens" at postgres://hub@10.0.0.7:5432/dockyard cannot be reached (connect ECONNREFUSED 10.0.0.7:5432): ' +
        'check DATABASE_URL (or TOKENS_DATABASE_URL) and that PostgreSQL is running there',
    );
    expect(error.cause).toBe(cause);
  });

  it('does not echo a URL that does not parse (it may hold a password)', () => {
    expect(redactedDatabaseUrl('hub:s3cret@@host:x')).not.toContain('s3cret');
    expect(redactedDatabaseUrl('postgres://hub@host/db')).toBe('postgres://hub@host/db');
  });
});
