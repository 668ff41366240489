import { RepositoryActivity } from '@dockyard/contracts';
import { ActivityBatcher } from './activity-batcher';

const pull = (n: number): RepositoryActivity => ({
  activityId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  repositoryId: '11111111-1111-4111-8111-111111111111',
  kind: 'pull',
  at: new Date(n).toISOString(),
});

describe('ActivityBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends what arrives within flushMs as one batch that keeps every entry and its id', async () => {
    const sent: RepositoryActivity[] = [];
    const batcher = new ActivityBatcher(async (a) => void sent.push(a), { flushMs: 50, maxEntries: 100 });
    const done = [batcher.add(pull(1)), batcher.add(pull(2)), batcher.add(pull(3))];
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(50);
    await Promise.all(done);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: 'batch', repositoryId: null, activities: [pull(1), pull(2), pull(3)] });
    expect(sent[0].activityId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends a lone activity as itself, and a full batch at once without waiting', async () => {
    const sent: RepositoryActivity[] = [];
    const batcher = new ActivityBatcher(async (a) => void sent.push(a), { flushMs: 50, maxEntries: 2 });
    const lone = batcher.add(pull(1));
    await jest.advanceTimersByTimeAsync(50);
    await lone;
    expect(sent).toEqual([pull(1)]);
    const full = [batcher.add(pull(2)), batcher.add(pull(3))];
    await Promise.all(full); // no timer advanced
    expect(sent[1]).toMatchObject({ kind: 'batch', activities: [pull(2), pull(3)] });
  });

  it('tells every waiter of a batch that it failed, and keeps working after', async () => {
    let fail = true;
    const sent: RepositoryActivity[] = [];
    const batcher = new ActivityBatcher(
      async (a) => {
        if (fail) throw new Error('broker down');
        sent.push(a);
      },
      { flushMs: 10, maxEntries: 100 },
    );
    const failed = [batcher.add(pull(1)), batcher.add(pull(2))].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    await jest.advanceTimersByTimeAsync(10);
    expect(await Promise.all(failed)).toEqual(['broker down', 'broker down']);
    fail = false;
    const next = batcher.add(pull(3));
    await jest.advanceTimersByTimeAsync(10);
    await next;
    expect(sent).toEqual([pull(3)]);
  });

  it('flushes what it holds when the module is destroyed (shutdown), without waiting for the timer', async () => {
    const sent: RepositoryActivity[] = [];
    const batcher = new ActivityBatcher(async (a) => void sent.push(a), { flushMs: 60_000, maxEntries: 100 });
    const pending = [batcher.add(pull(1)), batcher.add(pull(2))];
    await batcher.onModuleDestroy();
    await Promise.all(pending);
    expect(sent[0]).toMatchObject({ kind: 'batch', activities: [pull(1), pull(2)] });
  });
});
