import { chmodSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { describeTokensSecurity } from './tokens-security.e2e-cases';
import { TestHub, startStandaloneHub } from './support/hubs';
import { http } from './support/http';

describeTokensSecurity('standalone', () => startStandaloneHub({ admin: 'tok_root', requireConfirmation: false }));

/** Issue 13 point 4: the embedded PostgreSQL of a started hub, attacked from the same machine. */
describe('local secrets (standalone)', () => {
  let hub: (TestHub & { pgPort: number }) | undefined;
  let shared: string;

  beforeAll(async () => {
    // A pre-existing, world-writable sticky folder like /tmp (but our own), used as DOCKYARD_DATA.
    const runs = resolve(__dirname, '../.test-runs');
    mkdirSync(runs, { recursive: true });
    shared = mkdtempSync(join(runs, 'shared-'));
    chmodSync(shared, 0o1777);
    hub = await startStandaloneHub({ requireConfirmation: false, dataDir: shared });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('the well-known postgres/postgres login to the embedded PostgreSQL is refused', async () => {
    const client = new Client({ host: '127.0.0.1', port: hub!.pgPort, user: 'postgres', password: 'postgres', database: 'dockyard' });
    const code = await client.connect().then(
      () => 'connected',
      (error: { code?: string }) => error.code,
    );
    await client.end().catch(() => undefined);
    expect(code).toBe('28P01');
  });

  it('the password is kept in a file only the hub’s user can read (0600)', () => {
    expect(statSync(join(shared, 'pg.password')).mode & 0o777).toBe(0o600);
  });

  it('the token master key it generated (no DOCKYARD_TOKEN_KEY) is kept in a 0600 file', () => {
    expect(statSync(join(shared, 'token.key')).mode & 0o777).toBe(0o600);
  });

  it('starting with DOCKYARD_DATA on a pre-existing folder leaves its mode (1777, sticky) unchanged', async () => {
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect((await http(hub!.urls[0], 'GET', '/v1/_ping')).status).toBe(200);
  });
});
