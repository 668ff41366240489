import { ACCOUNTS_EVENTS, PublishedEvent } from '@dockyard/contracts';
import { testKafkaBrokers, uniqueTopicPrefix, waitUntil } from '../../testing/src';
import { createServer } from 'node:net';
import { KafkaBus } from './kafka.bus';

const event = (version: number, occurredAt: string): PublishedEvent => ({
  eventId: `status-${version}`,
  source: 'accounts',
  streamId: 'user-status',
  streamVersion: version,
  position: String(version),
  type: ACCOUNTS_EVENTS.UserRegistered,
  schemaVersion: 1,
  data: {},
  metadata: { correlationId: `c-${version}`, actor: 'system:test', occurredAt },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

describe('KafkaBus status (what /readyz and the consumer lag gauges read)', () => {
  it('reports the broker connected, the group joined, the entries behind and their age while stuck, then caught up', async () => {
    const topicPrefix = uniqueTopicPrefix('status');
    const publisher = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'status-publisher', topicPrefix });
    const consumer = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'status-consumer', topicPrefix });
    await publisher.connect();
    await consumer.connect();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    try {
      const old = new Date(Date.now() - 60_000).toISOString();
      await publisher.publish('accounts', [1, 2, 3].map((v) => event(v, old)));
      const subscription = await consumer.subscribe('status-group', ['accounts'], async (e) => {
        await gate;
        handled.push(e.streamVersion);
      });
      const stuck = await waitUntil(
        async () => {
          const status = await consumer.status();
          const group = status.consumers.find((c) => c.group === `${topicPrefix}.status-group`);
          return status.connected && group?.joined && group.behind === 3 && group.lagMs > 1000 ? group : undefined;
        },
        { timeoutMs: 30000, intervalMs: 200, what: 'the stuck group to show 3 entries behind and lag growing' },
      );
      expect(stuck).toMatchObject({ joined: true, behind: 3 });
      release();
      const caughtUp = await waitUntil(
        async () => {
          const group = (await consumer.status()).consumers.find((c) => c.group === `${topicPrefix}.status-group`);
          return group?.behind === 0 ? group : undefined;
        },
        { timeoutMs: 30000, intervalMs: 200, what: 'the group to catch up' },
      );
      expect(caughtUp.lagMs).toBe(0);
      expect(handled).toEqual([1, 2, 3]);
      await subscription.close();
    } finally {
      release();
      await consumer.close();
      await publisher.close();
    }
  });

  it('reports not connected for a bus that has not reached its broker (no admin client yet)', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const bus = new KafkaBus({ brokers: [`127.0.0.1:${port}`], clientId: 'status-nowhere' });
    const started = Date.now();
    expect((await bus.status()).connected).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    await bus.close();
  });
});
