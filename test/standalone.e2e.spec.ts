import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startStandaloneHub } from './support/hubs';
import { basic, http } from './support/http';

/** A log line at warn or above (pino's levels 40, 50 and 60). */
const WARNING_OR_WORSE = /"level":(40|50|60)\b/;

/** What only the one-process mode promises: active-at-once accounts when configured, data across restarts. */
describe('standalone hub', () => {
  it('with confirmation off, a new account logs in at once, and survives a restart and a kill', async () => {
    let hub = await startStandaloneHub({ requireConfirmation: false });
    const { dataDir, pgPort } = hub;
    try {
      const url = hub.urls[0];
      const created = await http(url, 'POST', '/v1/users/', {
        body: { username: 'sam_0001', password: 'secret1', email: 'sam@example.com' },
      });
      expect(created.status).toBe(201);
      const auth = { Authorization: basic('sam_0001', 'secret1') };
      expect((await http(url, 'GET', '/v1/users/', { headers: auth })).status).toBe(200);

      await hub.stop();
      hub = await startStandaloneHub({ requireConfirmation: false, dataDir, pgPort });
      expect((await http(hub.urls[0], 'GET', '/v1/users/', { headers: auth })).status).toBe(200);
      expect(
        (await http(hub.urls[0], 'POST', '/v1/users/', { body: { username: 'sam_0001', password: 'x', email: '' } })).text,
      ).toBe('"Username or email already exists"');

      // A hard kill leaves the embedded PostgreSQL orphaned; the next start must cope.
      await hub.processes[0].kill();
      hub = await startStandaloneHub({ requireConfirmation: false, dataDir, pgPort });
      expect((await http(hub.urls[0], 'GET', '/v1/users/', { headers: auth })).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });

  it('stops in order on Ctrl-C, which the terminal sends its PostgreSQL too: nothing fails on the way out', async () => {
    // A terminal's Ctrl-C signals the whole foreground process group. The embedded PostgreSQL was in
    // it and shut down at once under the closing hub, whose relays and consumers then logged
    // "terminating connection" and "connection lost" (15 warnings and errors in one run).
    let hub = await startStandaloneHub({ requireConfirmation: false, ownProcessGroup: true });
    const { dataDir, pgPort } = hub;
    try {
      const body = { username: 'ctrl_c01', password: 'secret1', email: 'ctrl@example.com' };
      expect((await http(hub.urls[0], 'POST', '/v1/users/', { body })).status).toBe(201);

      expect(await hub.processes[0].interrupt()).toBe(0);
      expect(hub.processes[0].log.split('\n').filter((line) => WARNING_OR_WORSE.test(line))).toEqual([]);
      // The hub stopped its PostgreSQL before it exited (a running server keeps this file).
      expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

      hub = await startStandaloneHub({ requireConfirmation: false, dataDir, pgPort });
      const auth = { Authorization: basic('ctrl_c01', 'secret1') };
      expect((await http(hub.urls[0], 'GET', '/v1/users/', { headers: auth })).status).toBe(200);
    } finally {
      await hub.stop();
    }
  });
});
