import { mapInSlices } from './event-loop-slices';

/** Holds the thread for `ms`, as hashing a batch of pulls does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('mapInSlices', () => {
  it('maps every item in order, with its index', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i * 3);
    expect(await mapInSlices(items, (item, index) => `${index}:${item}`)).toEqual(items.map((item, index) => `${index}:${item}`));
    expect(await mapInSlices([], () => 1)).toEqual([]);
  });

  it('lets a timer due meanwhile run before a long map ends', async () => {
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    // 200 items of 0.1 ms: 20 ms of work, in slices of about 1 ms.
    const seen = await mapInSlices(Array.from({ length: 200 }), () => (busy(0.1), timerRan));
    expect(seen[0]).toBe(false);
    // Run in one go, every item would have seen false: the timer ran between two slices.
    expect(seen.indexOf(true)).toBeGreaterThan(0);
    expect(seen.indexOf(true)).toBeLessThan(100);
  });

  it('does not yield for a map shorter than a slice', async () => {
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    const seen = await mapInSlices(Array.from({ length: 50 }), () => immediateRan);
    expect(seen.every((ran) => ran === false)).toBe(true);
  });
});
