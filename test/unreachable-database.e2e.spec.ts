import { freePort, testKafkaBrokers, uniqueTopicPrefix } from '../libs/testing/src';
import { HubProcess } from './support/hub-process';
import { newDataDir } from './support/hubs';

const PASSWORD = 'not-this-secret';

/**
 * A DATABASE_URL whose server does not answer: the app exits 1 at start and says which setting and
 * which server, without the password. It used to fail with a bare `connect ECONNREFUSED`.
 */
describe('a database that cannot be reached at start', () => {
  const unreachable = async () => {
    const port = await freePort(); // nothing listens there
    return { url: `postgres://hub:${PASSWORD}@127.0.0.1:${port}/dockyard`, server: `127.0.0.1:${port}` };
  };

  const expectNamed = (hub: HubProcess, server: string) => {
    expect(hub.log).toMatch(/cannot be reached \(connect ECONNREFUSED/);
    expect(hub.log).toContain('check DATABASE_URL');
    expect(hub.log).toContain(`postgres://hub@${server}/dockyard`);
    expect(hub.log).not.toContain(PASSWORD);
  };

  it('standalone with DATABASE_URL: exits 1, naming the setting and the server, not the password', async () => {
    const { url, server } = await unreachable();
    const hub = HubProcess.start('standalone', {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DOCKYARD_DATA: newDataDir(),
      DATABASE_URL: url,
    });
    try {
      expect(await hub.exitCode(60000)).toBe(1);
      expectNamed(hub, server);
    } finally {
      await hub.kill();
    }
  });

  it('a distributed service: exits 1, naming its schema’s setting too', async () => {
    const { url, server } = await unreachable();
    const hub = HubProcess.start('accounts', {
      DATABASE_URL: url,
      KAFKA_BROKERS: testKafkaBrokers().join(','),
      DOCKYARD_TOPIC_PREFIX: uniqueTopicPrefix('nodb'),
      DOCKYARD_DATA: newDataDir(),
    });
    try {
      expect(await hub.exitCode(60000)).toBe(1);
      expectNamed(hub, server);
      expect(hub.log).toContain('ACCOUNTS_DATABASE_URL');
    } finally {
      await hub.kill();
    }
  });
});
