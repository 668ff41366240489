import { CoalescedFence } from './coalesced-fence';
import { HotView } from './hot-view';
import { HOT } from './hot-keys';
import { ReadModelInvalidation } from './read-model-invalidation';
import { RepositoryCounters } from './repository-counters';

/** A promise settled from outside. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}
const flushMicrotasks = () => new Promise((r) => setImmediate(r));

describe('CoalescedFence', () => {
  it('concurrent callers share one probe; a caller arriving while one is in flight waits for the next one', async () => {
    const probes: ReturnType<typeof deferred<void>>[] = [];
    const fence = new CoalescedFence(() => {
      const probe = deferred<void>();
      probes.push(probe);
      return probe.promise;
    });
    const settled: string[] = [];
    const first = fence.fence().then((ok) => settled.push(`first:${ok}`));
    expect(probes).toHaveLength(1);
    // arrive while probe 1 is in flight: they must not be answered by it
    const second = fence.fence().then((ok) => settled.push(`second:${ok}`));
    const third = fence.fence().then((ok) => settled.push(`third:${ok}`));
    expect(probes).toHaveLength(1); // queued, not sent yet: at most one in flight
    probes[0].resolve();
    await first;
    await flushMicrotasks();
    expect(settled).toEqual(['first:true']);
    expect(probes).toHaveLength(2); // one probe for both queued callers
    probes[1].resolve();
    await Promise.all([second, third]);
    expect(settled).toEqual(['first:true', 'second:true', 'third:true']);
    // idle again: the next caller sends a probe at once
    const fourth = fence.fence();
    expect(probes).toHaveLength(3);
    probes[2].reject(new Error('connection lost'));
    expect(await fourth).toBe(false);
  });
});

describe('CoalescedFence since a request arrived', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 1000;
    jest.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterEach(() => jest.restoreAllMocks());

  function probing() {
    const probes: ReturnType<typeof deferred<void>>[] = [];
    const fence = new CoalescedFence(() => {
      const probe = deferred<void>();
      probes.push(probe);
      return probe.promise;
    });
    return { fence, probes };
  }

  it('a request’s later reads reuse a probe sent after it arrived: one probe per request', async () => {
    const { fence, probes } = probing();
    const arrived = clock;
    clock += 0.5;
    const first = fence.fence(arrived); // the request's first read sends the probe at 1000.5
    probes[0].resolve();
    expect(await first).toBe(true);
    clock += 3;
    expect(await fence.fence(arrived)).toBe(true); // its second read: no probe of its own
    expect(await fence.fence(arrived - 10)).toBe(true); // an earlier request's too
    expect(probes).toHaveLength(1);
  });

  it('never for a request that arrived after the probe was sent, nor in the same instant: a change committed in between may not be heard yet', async () => {
    const { fence, probes } = probing();
    const sent = fence.fence(clock); // probe sent at 1000
    probes[0].resolve();
    await sent;
    const sameInstant = fence.fence(1000);
    expect(probes).toHaveLength(2);
    clock += 1;
    const later = fence.fence(clock);
    expect(probes).toHaveLength(2); // queued behind the probe in flight, which was sent before it arrived
    probes[1].resolve();
    expect(await sameInstant).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(probes).toHaveLength(3);
    probes[2].resolve();
    expect(await later).toBe(true);
  });

  it('a probe proves from when it was sent, not from when it returned: a request that arrived while it was in flight sends its own', async () => {
    const { fence, probes } = probing();
    const inFlight = fence.fence(clock); // sent at 1000
    clock += 1;
    const arrived = clock; // 1001: after the probe left, before it returned
    clock += 1;
    probes[0].resolve();
    await inFlight;
    const read = fence.fence(arrived);
    expect(probes).toHaveLength(2);
    probes[1].resolve();
    expect(await read).toBe(true);
  });

  it('a failed probe proves nothing: the next read sends another', async () => {
    const { fence, probes } = probing();
    const arrived = clock;
    clock += 1;
    const failed = fence.fence(arrived);
    probes[0].reject(new Error('connection lost'));
    expect(await failed).toBe(false);
    const retried = fence.fence(arrived);
    expect(probes).toHaveLength(2);
    probes[1].resolve();
    expect(await retried).toBe(true);
  });
});

/** The view's channel, driven by the test. */
class FakeChanges {
  listening = true;
  fences = 0;
  since: (number | undefined)[] = [];
  pending: ReturnType<typeof deferred<boolean>>[] = [];
  fence(since?: number): Promise<boolean> {
    this.fences++;
    this.since.push(since);
    const d = deferred<boolean>();
    this.pending.push(d);
    return d.promise;
  }
  passAll(ok = true) {
    for (const d of this.pending.splice(0)) d.resolve(ok);
  }
}

describe('HotView', () => {
  const idOf = (v: unknown) => (v as { repositoryId: string }).repositoryId;
  const row = (id: string, downloads = 0) => ({ repositoryId: id, namespace: 'ns', name: 'web', downloadCount: downloads });

  function setup() {
    const changes = new FakeChanges();
    const view = new HotView(changes, 100);
    const counters = new RepositoryCounters();
    const invalidation = new ReadModelInvalidation(view, counters);
    const read = (value: unknown, key = HOT.repositoryByName('ns', 'web')) =>
      view.read(key, async () => value, (v: unknown) => [HOT.repository(idOf(v)), HOT.repositoryCounters(idOf(v))]);
    return { changes, view, invalidation, read };
  }

  it('a miss reads the read model and keeps the row; a hit is served only after a fence', async () => {
    const { changes, read } = setup();
    expect(await read(row('r1'))).toEqual(row('r1'));
    expect(changes.fences).toBe(0);
    const hit = read(row('other'));
    await flushMicrotasks();
    expect(changes.fences).toBe(1);
    changes.passAll();
    expect(await hit).toEqual(row('r1'));
  });

  it('a hit fences since the instant the caller names (its request’s arrival), else since the call', async () => {
    const { changes, view } = setup();
    const key = HOT.user('ann');
    await view.read(key, async () => 'ann');
    const named = view.read(key, async () => 'unused', undefined, 1234.5);
    const unnamed = view.read(key, async () => 'unused');
    await flushMicrotasks();
    changes.passAll();
    expect([await named, await unnamed]).toEqual(['ann', 'ann']);
    expect(changes.since).toEqual([1234.5, undefined]);
  });

  it('an invalidation heard during the fence drops the row: the read model is read instead', async () => {
    const { changes, invalidation, read } = setup();
    await read(row('r1'));
    const hit = read(row('r1-updated'));
    await flushMicrotasks();
    invalidation.changed({ kind: 'applied', consumer: 'repositories', streamId: 'repository-r1', streamVersion: 2, subjects: { repositoryId: 'r1' } });
    changes.passAll();
    expect(await hit).toEqual(row('r1-updated'));
  });

  it('a miss that reads while an invalidation for its row arrives does not keep the stale row', async () => {
    const { view, invalidation } = setup();
    const db = deferred<ReturnType<typeof row>>();
    const key = HOT.repositoryByName('ns', 'web');
    const tags = (v: ReturnType<typeof row>) => [HOT.repository(v.repositoryId)];
    const stale = view.read(key, () => db.promise, tags);
    // The row read under the old snapshot is on its way back while the update's notification arrives;
    // the notification names only the id, which the read learns when it returns.
    invalidation.changed({ kind: 'applied', consumer: 'repositories', streamId: 'repository-r1', streamVersion: 2, subjects: { repositoryId: 'r1' } });
    db.resolve(row('r1'));
    expect(await stale).toEqual(row('r1')); // this request may see it (it raced the write)
    expect(view.size).toBe(0); // but it is not kept
    // an unrelated invalidation does not stop a later read from being kept
    invalidation.changed({ kind: 'applied', consumer: 'repositories', streamId: 'repository-r9', streamVersion: 1, subjects: { repositoryId: 'r9' } });
    await view.read(key, async () => row('r1', 1), tags);
    expect(view.size).toBe(1);
  });

  it('a flush (missed notifications, a rebuild) drops everything, and reads in flight keep nothing', async () => {
    const { view, invalidation, read } = setup();
    await read(row('r1'));
    await read({ repositoryId: 'r2' }, HOT.repositoryByName('ns', 'api'));
    const db = deferred<unknown>();
    const inFlight = view.read(HOT.user('alice'), () => db.promise);
    invalidation.missed();
    db.resolve({ username: 'alice' });
    await inFlight;
    expect(view.size).toBe(0);
  });

  it('nothing is kept or served from memory while the LISTEN session is lost', async () => {
    const { changes, view, read } = setup();
    changes.listening = false;
    await read(row('r1'));
    expect(view.size).toBe(0);
    expect(changes.fences).toBe(0);
  });

  it('activity counters patch the cached row in place and only ever grow', async () => {
    const { changes, invalidation, read } = setup();
    await read(row('r1', 3));
    const counters = (downloadCount: number) =>
      ({ kind: 'counters', repositoryId: 'r1', downloadCount, uploadCount: 0, pulledAt: null, pushedAt: null }) as const;
    invalidation.changed(counters(5));
    invalidation.changed(counters(4)); // an older announcement: no step back
    const hit = read(row('r1', 0));
    await flushMicrotasks();
    changes.passAll();
    expect(await hit).toMatchObject({ downloadCount: 5 });
  });

  it('maps every change to what it touches: names, image lists, images and ancestries, users', async () => {
    const { changes, view, invalidation } = setup();
    const keep = (key: string, tags: string[] = []) => view.read(key, async () => ({}), () => tags);
    await keep(HOT.repositoryByName('ns', 'web'), [HOT.repository('r1')]);
    await keep(HOT.imageList('r1'), [HOT.repository('r1'), HOT.repositoryLists('r1')]);
    await keep(HOT.image('ns', 'i1'));
    await keep(HOT.ancestry('ns', 'i2'), [HOT.namespaceImages('ns')]);
    await keep(HOT.user('alice'));
    expect(view.size).toBe(5);
    const applied = (consumer: string, streamId: string, subjects: Record<string, string>) =>
      invalidation.changed({ kind: 'applied', consumer, streamId, streamVersion: 1, subjects });
    applied('images', 'images-r1', { repositoryId: 'r1' });
    expect(view.size).toBe(4);
    applied('image-metadata', 'image-ns/i1', { namespace: 'ns', imageId: 'i1' });
    expect(view.size).toBe(2); // the image and every ancestry of its namespace
    applied('users', 'user-alice', {});
    expect(view.size).toBe(1);
    applied('organizations', 'organization-acme', {});
    expect(view.size).toBe(1);
    // a newer life of the name: named by its creation, not by the old id
    applied('repositories', 'repository-r2', { repositoryId: 'r2', namespace: 'ns', name: 'web' });
    expect(view.size).toBe(0);
    expect(changes.fences).toBe(0);
  });
});
