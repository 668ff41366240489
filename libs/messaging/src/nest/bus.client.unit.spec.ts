import { REPOSITORY_ACTIVITY, RepositoryActivity } from '@dockyard/contracts';
import { ActivityBatcher } from '../activity-batcher';
import { InProcessBus } from '../in-process.bus';
import { BusClient, emitActivity } from './bus.client';

const pull = (n: number): RepositoryActivity => ({
  activityId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  repositoryId: '11111111-1111-4111-8111-111111111111',
  kind: 'pull',
  at: new Date(n).toISOString(),
});

describe('emitActivity through a BusClient (no observable per pull)', () => {
  it('reaches the activity consumers as emit does, once each', async () => {
    const bus = new InProcessBus();
    const heard: RepositoryActivity[] = [];
    await bus.subscribeActivity('counts', async (activity) => void heard.push(activity));
    const client = new BusClient(bus, 'repositories');
    await emitActivity(client, pull(1));
    await new Promise<void>((resolve) => client.emit(REPOSITORY_ACTIVITY, pull(2)).subscribe({ complete: resolve }));
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(heard).toEqual([pull(1), pull(2)]);
    await bus.close();
  });

  it("goes through the gateway's batcher, and rejects when recording fails", async () => {
    const recorded: RepositoryActivity[] = [];
    let fail = false;
    const batcher = new ActivityBatcher(
      async (activity) => {
        if (fail) throw new Error('bus away');
        recorded.push(activity);
      },
      { flushMs: 1, maxEntries: 10 },
    );
    const client = new BusClient(new InProcessBus(), 'repositories', batcher);
    await emitActivity(client, pull(1));
    expect(recorded).toEqual([pull(1)]);
    fail = true;
    await expect(emitActivity(client, pull(2))).rejects.toThrow('bus away');
  });
});
