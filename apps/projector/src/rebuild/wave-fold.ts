import { PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';
import { StreamEffect } from '@dockyard/eventstore';
import { BatchFold } from '../batch-fold';

/** How one event type folds: its projection's effect, and its batch fold if the projection has one. */
export interface TypeFold {
  effect: StreamEffect;
  batch?: BatchFold;
}

/**
 * Events in waves: the first event of each stream, then the second of each, and so on. A wave
 * holds one event per stream, so its events of one type can be folded in one statement
 * (BatchFold), and each stream still sees its events in version order.
 */
export function wavesOf(events: PublishedEvent[]): PublishedEvent[][] {
  const waves: PublishedEvent[][] = [];
  const seen = new Map<string, number>();
  for (const event of events) {
    const wave = seen.get(event.streamId) ?? 0;
    seen.set(event.streamId, wave + 1);
    (waves[wave] ??= []).push(event);
  }
  return waves;
}

/**
 * Folds events (each stream's in version order) wave by wave: per wave, the events of a type with a
 * batch fold in one statement, the others one by one. Streams interleave here in another order
 * than their positions, as they already do across the rebuild's lanes: a projection's fold of one
 * stream must not depend on another stream's (repository lives compare positions for that).
 */
export async function foldInWaves(
  client: PoolClient,
  events: PublishedEvent[],
  foldOf: (type: string) => TypeFold,
): Promise<void> {
  for (const wave of wavesOf(events)) {
    const batched = new Map<string, PublishedEvent[]>();
    for (const event of wave) {
      const fold = foldOf(event.type);
      if (!fold.batch) {
        await fold.effect(client, event);
        continue;
      }
      const same = batched.get(event.type);
      if (same) same.push(event);
      else batched.set(event.type, [event]);
    }
    for (const [type, same] of batched) await foldOf(type).batch!(client, same);
  }
}
