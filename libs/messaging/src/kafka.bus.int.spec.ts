import { Kafka, logLevel } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { commandsTopic, repliesTopic } from '@dockyard/contracts';
import { testKafkaBrokers, uniqueTopicPrefix } from '../../testing/src';
import { KafkaBus } from './kafka.bus';
import { describeMessageBusContract, eventOf } from './message-bus.contract';

let prefix = uniqueTopicPrefix('bus');
beforeEach(() => {
  prefix = uniqueTopicPrefix('bus'); // fresh topics per test: no leftovers from the one before
});

describeMessageBusContract('kafka', async () => {
  const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'contract-test', topicPrefix: prefix });
  await bus.connect();
  return bus;
});

describe('KafkaBus topics', () => {
  it('creates event and activity topics that keep everything, command and reply topics that keep an hour', async () => {
    const topicPrefix = uniqueTopicPrefix('retention');
    const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'retention-test', topicPrefix });
    await bus.connect();
    const admin = new Kafka({ brokers: testKafkaBrokers(), clientId: 'retention-check', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const names = [`${topicPrefix}.accounts.events`, `${topicPrefix}.activity`, `${topicPrefix}.accounts.commands`, `${topicPrefix}.replies`];
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
      });
      const retention = Object.fromEntries(
        described.resources.map((r) => [r.resourceName, r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue]),
      );
      expect(retention).toEqual({
        [names[0]]: '-1',
        [names[1]]: '-1',
        [names[2]]: '3600000',
        [names[3]]: '3600000',
      });
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });
});

describe('KafkaBus offsets (committed every second and on stop, not after every message)', () => {
  const newBus = async () => {
    const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'offsets-test', topicPrefix: prefix });
    await bus.connect();
    return bus;
  };
  const until = async (check: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 30000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const events = (from: number, count: number) => Array.from({ length: count }, (_, i) => eventOf(`offsets-${(from + i) % 3}`, from + i));

  it('commits what a running member handled without being stopped, so its group lag reaches zero', async () => {
    const bus = await newBus();
    const admin = new Kafka({ brokers: testKafkaBrokers(), clientId: 'offsets-check', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const seen: string[] = [];
      await bus.subscribe('committed', ['accounts'], async (e) => void seen.push(e.eventId));
      await bus.publish('accounts', events(1, 10));
      await until(() => new Set(seen).size >= 10, 'the ten events');
      const committed = async () =>
        (await admin.fetchOffsets({ groupId: `${prefix}.committed`, topics: [`${prefix}.accounts.events`] }))
          .flatMap((topic) => topic.partitions)
          .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      await until(async () => (await committed()) === 10, 'the group to commit all ten');
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });

  it('a member that stops commits first: the next member of its group resumes after it, delivering nothing twice', async () => {
    const first = await newBus();
    const seenByFirst: string[] = [];
    await first.subscribe('resume', ['accounts'], async (e) => void seenByFirst.push(e.eventId));
    await first.publish('accounts', events(1, 10));
    await until(() => new Set(seenByFirst).size >= 10, 'the first ten events');
    await first.close(); // well inside the commit interval of the last ones

    const second = await newBus();
    try {
      const seenBySecond: string[] = [];
      await second.subscribe('resume', ['accounts'], async (e) => void seenBySecond.push(e.eventId));
      await second.publish('accounts', events(11, 5));
      await until(() => seenBySecond.length >= 5, 'the next five events');
      await new Promise((r) => setTimeout(r, 500)); // anything delivered twice would arrive meanwhile
      expect(seenBySecond.sort()).toEqual(events(11, 5).map((e) => e.eventId).sort());
    } finally {
      await second.close();
    }
  });
});

describe('KafkaBus replies', () => {
  it('concurrent first commands of a fresh bus share one reply consumer, and every one is answered', async () => {
    const server = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'replies-server', topicPrefix: prefix });
    const client = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'replies-client', topicPrefix: prefix });
    const admin = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await Promise.all([server.connect(), client.connect(), admin.connect()]);
    try {
      await server.serveCommands('images', async (_pattern, payload) => ({ echoed: payload }));
      const meta = { correlationId: 'c', actor: 'system:test' };
      // What a freshly started images replica does when four pushes need their repository at once.
      const replies = await Promise.all(
        Array.from({ length: 8 }, (_, i) => client.send('images', 'images.echo', { i }, meta, { key: `k${i}`, timeoutMs: 30000 })),
      );
      expect(replies).toEqual(Array.from({ length: 8 }, (_, i) => ({ echoed: { i } })));
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => id.startsWith(`${prefix}.replies.`));
      expect(groups).toHaveLength(1);
      const [described] = (await admin.describeGroups(groups)).groups;
      expect(described.members).toHaveLength(1);
      // Where it started reading is committed at once: a restarted reply consumer resumes there,
      // never from a "latest" resolved after its restart.
      const committed = await admin.fetchOffsets({ groupId: groups[0], topics: [repliesTopic(prefix)] });
      expect(committed[0].partitions.map((p) => Number(p.offset) >= 0)).toEqual([true, true, true]);
    } finally {
      await Promise.all([client.close(), server.close(), admin.disconnect()]);
    }
  });

  it('buses on topics created a moment ago answer their first command, every one', async () => {
    // For a moment after creation the broker answers "not the leader" to offset reads. The first
    // fetch of a reply consumer left to "latest" failed on that, counted as fetched all the same, and
    // resolved "latest" only after the reply was written: the command timed out (about 1 fresh bus
    // in 15 under load). Each bus here gets topics of its own, created together, as replicas do.
    const round = async (n: number) => {
      const topicPrefix = uniqueTopicPrefix('fresh');
      const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'fresh-topics', topicPrefix });
      try {
        // Created as another replica starting at the same moment does: not waiting for their leaders.
        await admin.createTopics({
          waitForLeaders: false,
          topics: [repliesTopic(topicPrefix), commandsTopic('accounts', topicPrefix)].map((topic) => ({ topic, numPartitions: 3 })),
        });
        await bus.connect();
        await bus.serveCommands('accounts', async (_pattern, payload) => ({ echoed: payload }));
        const meta = { correlationId: `fresh-${n}`, actor: 'system:test' };
        return await bus.send('accounts', 'accounts.echo', { n }, meta, { timeoutMs: 8000 }).catch((error: Error) => error.message);
      } finally {
        await bus.close();
      }
    };
    const admin = new Kafka({ brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      for (const from of [0, 6]) {
        const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => round(from + i)));
        expect(replies).toEqual(Array.from({ length: 6 }, (_, i) => ({ echoed: { n: from + i } })));
      }
    } finally {
      await admin.disconnect();
    }
  }, 180000);
});

describe('KafkaBus commands (concurrent across keys, in order within a key)', () => {
  it('a slow command holds up only its own key: other commands of the service are answered meanwhile', async () => {
    const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'lanes', topicPrefix: prefix });
    await bus.connect();
    try {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let slowStarted!: () => void;
      const started = new Promise<void>((resolve) => (slowStarted = resolve));
      const order: string[] = [];
      await bus.serveCommands('images', async (_pattern, payload) => {
        const { name } = payload as { name: string };
        if (name === 'slow') {
          slowStarted();
          await gate;
        }
        order.push(name);
        return { name };
      });
      const meta = { correlationId: 'lanes', actor: 'system:test' };
      const send = (name: string, key: string, timeoutMs: number) => bus.send('images', 'images.echo', { name }, meta, { key, timeoutMs });
      const slow = send('slow', 'repo-a', 30000);
      await started;
      // Sent once the slow one runs. kafkajs fetches again only when a fetch's messages are all
      // handled, so before lanes these waited for it, whatever their partition, and timed out.
      const others = await Promise.all(['b', 'c', 'd', 'e'].map((k) => send(k, `repo-${k}`, 8000)));
      expect(others).toEqual([{ name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'e' }]);
      const sameKey = send('after-slow', 'repo-a', 30000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(order).not.toContain('after-slow'); // its key's earlier command still runs
      release();
      await expect(Promise.all([slow, sameKey])).resolves.toEqual([{ name: 'slow' }, { name: 'after-slow' }]);
      expect(order.slice(-2)).toEqual(['slow', 'after-slow']);
    } finally {
      await bus.close();
    }
  }, 60000);

  it('a member that stops while a command runs lets it finish and commits it: the next member does not run it again', async () => {
    const first = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'lanes-stop', topicPrefix: prefix });
    const requester = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'lanes-requester', topicPrefix: prefix });
    await Promise.all([first.connect(), requester.connect()]);
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowStarted!: () => void;
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    let next: KafkaBus | undefined;
    try {
      const serving = await first.serveCommands('images', async (_pattern, payload) => {
        runs.push(`first:${(payload as { n: number }).n}`);
        slowStarted();
        await gate;
        return { ok: true };
      });
      const meta = { correlationId: 'lanes-stop', actor: 'system:test' };
      const answered = requester.send('images', 'images.slow', { n: 1 }, meta, { key: 'repo-a', timeoutMs: 30000 });
      await started;
      const stopping = serving.close(); // a deploy stops the member mid-command
      setTimeout(release, 500);
      await stopping;
      await expect(answered).resolves.toEqual({ ok: true });
      next = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'lanes-next', topicPrefix: prefix });
      await next.connect();
      await next.serveCommands('images', async (_pattern, payload) => {
        runs.push(`next:${(payload as { n: number }).n}`);
        return { ok: true };
      });
      // A command sent now reaches the next member; the one the first member finished does not again.
      await expect(requester.send('images', 'images.slow', { n: 2 }, meta, { key: 'repo-a', timeoutMs: 20000 })).resolves.toEqual({ ok: true });
      expect(runs).toEqual(['first:1', 'next:2']);
    } finally {
      release();
      await Promise.all([first.close(), requester.close(), next?.close()]);
    }
  }, 90000);
});
