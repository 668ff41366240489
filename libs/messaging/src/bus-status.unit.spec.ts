import { ConsumerProgress } from './bus-status';

describe('ConsumerProgress: a consumer group’s lag in time, from entries behind', () => {
  const t0 = 1_000_000;

  it('is 0 while caught up, whatever the age of the last event', () => {
    const progress = new ConsumerProgress('g');
    progress.handled(new Date(t0 - 60_000).toISOString(), t0);
    expect(progress.status(0, t0 + 10).lagMs).toBe(0);
  });

  it('does not count an idle period before a new event as lag', () => {
    const progress = new ConsumerProgress('g');
    progress.handled(new Date(t0).toISOString(), t0);
    expect(progress.status(0, t0 + 3_600_000).lagMs).toBe(0);
    // An hour idle, then one event arrives: first seen behind now, so no lag yet.
    expect(progress.status(1, t0 + 3_600_000).lagMs).toBe(0);
  });

  it('grows while the group is stuck behind (nothing handled)', () => {
    const progress = new ConsumerProgress('g');
    expect(progress.status(3, t0).lagMs).toBe(0);
    expect(progress.status(3, t0 + 40_000).lagMs).toBe(40_000);
    // Unknown (broker unreachable) keeps counting from when it was first seen behind.
    expect(progress.status(undefined, t0 + 50_000).lagMs).toBe(50_000);
  });

  it('is the age of the events it is applying while it catches up on old ones', () => {
    const progress = new ConsumerProgress('g');
    expect(progress.status(100, t0).lagMs).toBe(0);
    progress.handled(new Date(t0 - 45_000).toISOString(), t0 + 1_000);
    expect(progress.status(99, t0 + 1_500).lagMs).toBe(46_000);
    expect(progress.status(0, t0 + 2_000).lagMs).toBe(0);
  });
});
