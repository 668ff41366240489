import { createTestDatabase, freePort } from '../libs/testing/src';
import { HubProcess, waitForGateway } from './support/hub-process';
import { newDataDir } from './support/hubs';
import { basic, http, registerRetrying } from './support/http';

/**
 * The standalone hub answers its reads from memory without a fence, which is right only while its
 * gateway is its database's only one. A second standalone hub given the same DATABASE_URL must be
 * refused before it starts anything, and the first must go on answering, its writes seen at once.
 */
describe('one standalone hub per database', () => {
  const standalone = async (databaseUrl: string) => {
    const port = await freePort();
    const hub = HubProcess.start('standalone', {
      PORT: String(port),
      HOST: '127.0.0.1',
      DOCKYARD_DATA: newDataDir(),
      DATABASE_URL: databaseUrl,
      DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    });
    return { hub, url: `http://127.0.0.1:${port}` };
  };

  it('a second hub on the same database exits 1 and says why; the first keeps serving, read-your-writes intact', async () => {
    const databaseUrl = await createTestDatabase('sole');
    const first = await standalone(databaseUrl);
    let second: HubProcess | undefined;
    try {
      await waitForGateway(first.url, [first.hub]);
      const started = await standalone(databaseUrl);
      second = started.hub;
      expect(await second.exitCode(60000)).toBe(1);
      expect(second.log).toContain('another standalone hub serves this database');
      // Refused before its services started: none of them logged its start.
      expect(second.log).not.toMatch(/Dockyard standalone hub listening/);

      expect(await registerRetrying(first.url, { username: 'solo_user', password: 'secret1', email: 'solo@example.com' })).toBe(201);
      const auth = basic('solo_user', 'secret1');
      for (let i = 0; i < 5; i++) {
        const name = `solo_user/app${i}`;
        const created = await http(first.url, 'PUT', `/v1/repositories/${name}/`, { body: [], headers: { Authorization: auth } });
        expect(created.status).toBe(200);
        // Acknowledged, so any read after it shows it: from memory, with no fence.
        const shown = await http(first.url, 'GET', `/v1/repositories/${name}/images`, { headers: { Authorization: auth } });
        expect(shown.status).toBe(200);
        const described = await http(first.url, 'PUT', `/v1/repositories/${name}/`, {
          body: { description: `version ${i}` },
          headers: { Authorization: auth },
        });
        expect(described.status).toBe(200);
        const detail = await http(first.url, 'GET', `/v1/repositories/${name}/`, { headers: { Authorization: auth } });
        expect(detail.json()).toMatchObject({ description: `version ${i}` });
      }
    } finally {
      await second?.kill();
      await first.hub.stop();
    }
  });
});
