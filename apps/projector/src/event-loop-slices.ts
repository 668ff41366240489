import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long a fold computes before it lets the process's other work run. In the standalone hub the
 * projector shares its event loop with the gateway: hashing a batch of a few hundred pulls into the
 * audit feed in one go held the loop 2–14 ms, and every request that arrived meanwhile waited that
 * long (the hub's own time for them stayed under 1 ms at p99, the client's p99 rose to 16–34 ms).
 */
const SLICE_MS = 1;
/** Items between two reads of the clock. */
const CLOCK_EVERY = 16;

/**
 * `items.map(map)`, in slices of about SLICE_MS with a turn of the event loop between them. A
 * slice's continuation runs in the loop's check phase, so a turn that begins in the poll phase
 * reaches new I/O only at the next one: a batch holds the loop at most about two slices at a time.
 * The caller's transaction stays open meanwhile; nothing else in this process writes its rows.
 */
export async function mapInSlices<T, R>(items: readonly T[], map: (item: T, index: number) => R): Promise<R[]> {
  const mapped = new Array<R>(items.length);
  let sliceEnds = performance.now() + SLICE_MS;
  for (let index = 0; index < items.length; index++) {
    mapped[index] = map(items[index], index);
    if (index % CLOCK_EVERY === CLOCK_EVERY - 1 && performance.now() > sliceEnds) {
      await nextTurn();
      sliceEnds = performance.now() + SLICE_MS;
    }
  }
  return mapped;
}
