import { DomainError, MessageMetadata, PublishedEvent, ServiceName } from '@dockyard/contracts';
import { CommandDispatcher, MessageBus } from './message-bus';

const meta = { correlationId: 'corr-1', actor: 'user:alice', requestId: 'req-1' };

export const eventOf = (streamId: string, streamVersion: number, source: ServiceName = 'accounts'): PublishedEvent => ({
  eventId: `${streamId}-${streamVersion}`,
  source,
  streamId,
  streamVersion,
  position: String(streamVersion),
  type: 'Happened',
  schemaVersion: 1,
  data: { n: streamVersion },
  metadata: { ...meta, occurredAt: new Date(0).toISOString() },
  hash: '',
  prevHash: '',
  secretDigest: '',
});

/** A dispatcher over a table of handlers: what Nest's routing does for the services (BusServer). */
export const route =
  (handlers: Record<string, (payload: unknown, metadata: MessageMetadata) => Promise<unknown>>): CommandDispatcher =>
  async (pattern, payload, metadata) => {
    const handler = handlers[pattern];
    if (!handler) throw new DomainError('invalid', `unknown command ${pattern}`);
    return handler(payload, metadata);
  };

const until = async (check: () => boolean, timeoutMs = 20000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/**
 * The behaviour every MessageBus transport promises, run against each of them: what the services
 * rely on must not depend on running standalone or distributed.
 */
export function describeMessageBusContract(name: string, makeBus: () => Promise<MessageBus>): void {
  describe(`MessageBus contract: ${name}`, () => {
    const buses: MessageBus[] = [];
    const bus = async () => {
      const b = await makeBus();
      buses.push(b);
      return b;
    };
    afterEach(async () => {
      await Promise.all(buses.splice(0).map((b) => b.close()));
    });

    it('answers a command with its reply; payload and metadata arrive intact', async () => {
      const b = await bus();
      const seen: unknown[] = [];
      await b.serveCommands('accounts', route({
        echo: async (payload, metadata) => {
          seen.push(metadata);
          return { got: payload };
        },
      }));
      await expect(b.send('accounts', 'echo', { a: [1, 'x'] }, meta, { key: 'k' })).resolves.toEqual({ got: { a: [1, 'x'] } });
      expect(seen).toEqual([meta]);
    });

    it('carries a DomainError back as the same code and message; other errors stay internal', async () => {
      const b = await bus();
      await b.serveCommands('accounts', route({
        refuse: async () => {
          throw new DomainError('forbidden', 'not yours');
        },
        crash: async () => {
          throw new Error('secret stack detail');
        },
      }));
      const refused = await b.send('accounts', 'refuse', {}, meta).catch((e) => e);
      expect(refused).toBeInstanceOf(DomainError);
      expect(refused).toMatchObject({ code: 'forbidden', message: 'not yours' });
      const crashed = (await b.send('accounts', 'crash', {}, meta).catch((e) => e)) as Error;
      expect(crashed).toBeInstanceOf(Error);
      expect(crashed).not.toBeInstanceOf(DomainError);
      expect(String(crashed.message)).not.toContain('secret stack detail');
    });

    it('times out as unavailable when nobody serves the command', async () => {
      const b = await bus();
      const error = (await b.send('tokens', 'nobody', {}, meta, { timeoutMs: 1500 }).catch((e) => e)) as DomainError;
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe('unavailable');
    });

    it('two requesters sending at once each get their own replies', async () => {
      const server = await bus();
      await server.serveCommands('accounts', route({ double: async (payload) => (payload as number) * 2 }));
      const [a, c] = [await bus(), await bus()];
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : c).send<number>('accounts', 'double', i, meta, { key: `k${i}` })),
      );
      expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    });

    // At least once: a rebalance may deliver again what was not committed yet. So the checks are on
    // first deliveries: every event reaches every group, each stream in order.
    it('delivers every event to every group, each stream in order', async () => {
      const b = await bus();
      const first: PublishedEvent[] = [];
      const second: PublishedEvent[] = [];
      await b.subscribe('group-one', ['accounts'], async (e) => void first.push(e));
      await b.subscribe('group-two', ['accounts'], async (e) => void second.push(e));
      const events = Array.from({ length: 30 }, (_, i) => eventOf(`s${i % 5}`, Math.floor(i / 5) + 1));
      await b.publish('accounts', events);
      const firstDeliveries = (seen: PublishedEvent[]) => seen.filter((e, i) => seen.findIndex((x) => x.eventId === e.eventId) === i);
      await until(() => firstDeliveries(first).length >= 30 && firstDeliveries(second).length >= 30);
      for (const seen of [first, second].map(firstDeliveries)) {
        expect(seen).toHaveLength(30);
        for (let s = 0; s < 5; s++) {
          expect(seen.filter((e) => e.streamId === `s${s}`).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6]);
        }
      }
    });

    it('members of one group share the events: together they see every event', async () => {
      const publisher = await bus();
      const [m1, m2] = [await bus(), await bus()];
      const seen: string[] = [];
      await m1.subscribe('shared', ['accounts'], async (e) => void seen.push(e.eventId));
      await m2.subscribe('shared', ['accounts'], async (e) => void seen.push(e.eventId));
      const events = Array.from({ length: 60 }, (_, i) => eventOf(`t${i % 10}`, Math.floor(i / 10) + 1));
      await publisher.publish('accounts', events);
      await until(() => new Set(seen).size >= 60);
      expect(new Set(seen).size).toBe(60);
      // a redelivery can only come from a rebalance, never a second copy per member in steady state
      expect(seen.length).toBeLessThan(120);
    });

    it('retries a failing handler on the same event and delivers nothing after it first', async () => {
      const b = await bus();
      const seen: number[] = [];
      let failures = 2;
      await b.subscribe('flaky', ['accounts'], async (e) => {
        if (e.streamVersion === 2 && failures-- > 0) throw new Error('database down');
        seen.push(e.streamVersion);
      });
      await b.publish('accounts', [1, 2, 3].map((v) => eventOf('one-stream', v)));
      await until(() => seen.length >= 3);
      expect(seen).toEqual([1, 2, 3]);
    });
  });
}
