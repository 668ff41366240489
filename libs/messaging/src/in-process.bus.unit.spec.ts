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

  it('copies events and activity: each group gets its own copy of what was published, as it was then', async () => {
    const bus = new InProcessBus();
    const event = eventOf('copied', 1);
    const activity = { activityId: 'a1', repositoryId: 'r1', kind: 'pull' as const, images: ['i1'], at: new Date(0).toISOString() };
    const seen: Record<string, unknown[]> = { first: [], second: [] };
    for (const group of ['first', 'second']) {
      await bus.subscribe(group, ['accounts'], async (e) => {
        seen[group].push(structuredClone(e.data));
        (e.data as Record<string, unknown>).changedBy = group;
      });
      await bus.subscribeActivity(`${group}-activity`, async (a) => {
        seen[group].push(structuredClone(a));
        (a as { images: string[] }).images.push(group);
      });
    }
    const published = bus.publish('accounts', [event]);
    (event.data as Record<string, unknown>).changedBy = 'publisher';
    await published;
    await bus.recordActivity(activity);
    activity.images.push('publisher');
    await new Promise((r) => setTimeout(r, 50));
    const original = eventOf('copied', 1).data;
    expect(seen.first).toEqual([original, { ...activity, images: ['i1'] }]);
    expect(seen.second).toEqual(seen.first);
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

/** Durable delivery: `publish` (what the outbox relay awaits before moving its checkpoint) resolves once every group has handled. */
describe('InProcessBus publish waits for every consumer group', () => {
  /** Lets every ready promise and timer-free continuation run: what would have happened has. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  const gate = () => {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    return { opened, open };
  };
  const track = (promise: Promise<void>) => {
    const state = { resolved: false, rejected: undefined as unknown };
    promise.then(
      () => (state.resolved = true),
      (error) => (state.rejected = error),
    );
    return state;
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };
  const groups = [
    { group: 'projector', sources: ['accounts' as const, 'repositories' as const] },
    { group: 'tokens', sources: ['accounts' as const] },
  ];

  it('resolves only once every declared group has handled every event, also a group that subscribes after the publish', async () => {
    const bus = new InProcessBus({ groups });
    const projectorGate = gate();
    const projected: number[] = [];
    await bus.subscribe('projector', ['accounts', 'repositories'], async (e) => {
      await projectorGate.opened;
      projected.push(e.streamVersion);
    });
    const published = track(bus.publish('accounts', [eventOf('u', 1), eventOf('u', 2)]));
    await settle();
    expect(published.resolved).toBe(false);

    projectorGate.open();
    await until(() => projected.length === 2);
    await settle();
    // The projector is done; tokens has not even subscribed yet: the events are kept and awaited.
    expect(published.resolved).toBe(false);

    const revoked: number[] = [];
    await bus.subscribe('tokens', ['accounts'], async (e) => void revoked.push(e.streamVersion));
    await until(() => published.resolved);
    expect(revoked).toEqual([1, 2]);
    expect(projected).toEqual([1, 2]);
  });

  it('with groups declared, drops what every group has handled, and keeps what one has not', async () => {
    const bus = new InProcessBus({ groups });
    const kept = () => (bus as unknown as { log: unknown[] }).log.length;
    const tokensGate = gate();
    await bus.subscribe('projector', ['accounts', 'repositories'], async () => undefined);
    await bus.subscribe('tokens', ['accounts'], async () => tokensGate.opened);
    for (let version = 1; version <= 50; version++) void bus.publish('repositories', [eventOf('r', version)]);
    await until(() => kept() === 0);
    // tokens has not handled the accounts events: they stay, whatever the projector did.
    const published = track(bus.publish('accounts', [eventOf('u', 1), eventOf('u', 2)]));
    await settle();
    expect(kept()).toBe(2);
    tokensGate.open();
    await until(() => published.resolved);
    expect(kept()).toBe(0);
  });

  it('waits only for the groups of the published source', async () => {
    const bus = new InProcessBus({ groups });
    const seen: string[] = [];
    await bus.subscribe('projector', ['accounts', 'repositories'], async (e) => void seen.push(e.eventId));
    // tokens does not consume repositories: its absence does not hold this publish.
    await bus.publish('repositories', [eventOf('r', 1, 'repositories')]);
    expect(seen).toEqual(['r-1']);
  });

  it('a failing handler keeps publish pending until a retry succeeds', async () => {
    const bus = new InProcessBus({ groups: [{ group: 'projector', sources: ['accounts'] }] });
    let failing = true;
    let attempts = 0;
    await bus.subscribe('projector', ['accounts'], async () => {
      attempts++;
      if (failing) throw new Error('database down');
    });
    const published = track(bus.publish('accounts', [eventOf('f', 1)]));
    await until(() => attempts >= 2);
    await settle();
    expect(published.resolved).toBe(false);
    expect(published.rejected).toBeUndefined();

    failing = false;
    await until(() => published.resolved);
    expect(attempts).toBeGreaterThanOrEqual(3);
  });

  it('closing the bus rejects pending publishes, and later ones', async () => {
    const bus = new InProcessBus({ groups });
    await bus.subscribe('projector', ['accounts', 'repositories'], () => new Promise<void>(() => undefined)); // never commits
    const published = track(bus.publish('accounts', [eventOf('c', 1)]));
    await settle();
    expect(published.rejected).toBeUndefined();

    await bus.close();
    await until(() => published.rejected !== undefined);
    expect(String(published.rejected)).toContain('bus closed');
    await expect(bus.publish('accounts', [eventOf('c', 2)])).rejects.toThrow('bus closed');
  });

  it('a group that closes rejects the publishes waiting for it, and refuses new ones of its sources', async () => {
    const bus = new InProcessBus({ groups });
    await bus.subscribe('projector', ['accounts', 'repositories'], async () => undefined);
    const tokens = await bus.subscribe('tokens', ['accounts'], () => new Promise<void>(() => undefined));
    const published = track(bus.publish('accounts', [eventOf('g', 1)]));
    await settle();
    expect(published.rejected).toBeUndefined();

    await tokens.close();
    await until(() => published.rejected !== undefined);
    expect(String(published.rejected)).toContain('tokens');
    await expect(bus.publish('accounts', [eventOf('g', 2)])).rejects.toThrow('tokens');
    // Sources the closed group does not consume are unaffected.
    await expect(bus.publish('repositories', [eventOf('r', 1, 'repositories')])).resolves.toBeUndefined();
  });

  it('refuses a subscription the declaration does not cover (it would not be waited for)', async () => {
    const bus = new InProcessBus({ groups });
    await expect(bus.subscribe('images', ['repositories'], async () => undefined)).rejects.toThrow('without having declared');
    await expect(bus.subscribe('tokens', ['accounts', 'repositories'], async () => undefined)).rejects.toThrow('repositories');
  });

  it('does not wait for activity: it is best effort', async () => {
    const bus = new InProcessBus({ groups });
    await bus.subscribeActivity('projector-activity', () => new Promise<void>(() => undefined));
    await expect(
      bus.recordActivity({ activityId: 'a1', kind: 'pull', repository: 'x/y', at: new Date(0).toISOString() } as never),
    ).resolves.toBeUndefined();
  });
});
