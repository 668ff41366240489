import { startStandaloneHub } from './support/hubs';
import { basic, http } from './support/http';

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
});
