import { InProcessBus } from './in-process.bus';
import { describeMessageBusContract, eventOf, route } from './message-bus.contract';

// Each InProcessBus is its own world: the contract's "several buses" share one instance here.
let shared: InProcessBus | undefined;
describeMessageBusContract('in-process', async () => {
  shared ??= new InProcessBus();
  return {
    send: shared.send.bind(shared),
    serveCommands: shared.serveCommands.bind(shared),
    publish: shared.publish.bind(shared),
    subscribe: shared.subscribe.bind(shared),
    close: async () => {
      shared = undefined;
    },
  } as InProcessBus;
});

describe('InProcessBus specifics', () => {
  it('a group that subscribes late still gets what was published before', async () => {
    const bus = new InProcessBus();
    await bus.publish('accounts', [eventOf('late', 1), eventOf('late', 2)]);
    const seen: number[] = [];
    await bus.subscribe('late-group', ['accounts'], async (e) => void seen.push(e.streamVersion));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([1, 2]);
  });

  it('copies payloads: a handler cannot change the sender’s object', async () => {
    const bus = new InProcessBus();
    await bus.serveCommands('accounts', route({
      mutate: async (payload) => {
        (payload as { n: number }).n = 99;
        return payload;
      },
    }));
    const payload = { n: 1 };
    await expect(bus.send('accounts', 'mutate', payload, { correlationId: 'c', actor: 'a' })).resolves.toEqual({ n: 99 });
    expect(payload.n).toBe(1);
  });

  it('only delivers the sources a group asked for', async () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    await bus.subscribe('only-tokens', ['tokens'], async (e) => void seen.push(e.source));
    await bus.publish('accounts', [eventOf('a', 1)]);
    await bus.publish('tokens', [eventOf('t', 1, 'tokens')]);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['tokens']);
  });
});
