import { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HotView } from './hot-view';
import { ReadModelChanges } from './read-model-changes';
import { ReadModelInvalidation } from './read-model-invalidation';
import { RepositoryCounters } from './repository-counters';

/** How many read-model rows a gateway keeps in memory (DOCKYARD_HOT_VIEW_ENTRIES). */
export const hotViewEntries = (env: NodeJS.ProcessEnv = process.env): number => {
  const entries = Number(env.DOCKYARD_HOT_VIEW_ENTRIES ?? 100_000);
  return Number.isInteger(entries) && entries >= 0 ? entries : 100_000;
};

/**
 * The gateway's hot read path: the read-model channel, the view it keeps true, and the counters it
 * patches. With 0 entries the read models are read every time (the view keeps nothing).
 */
export class HotReads {
  readonly view: HotView;
  readonly counters = new RepositoryCounters();
  readonly enabled: boolean;

  constructor(
    readonly changes: ReadModelChanges,
    entries: number,
  ) {
    this.enabled = entries > 0;
    this.view = new HotView(changes, entries);
    changes.subscribe(new ReadModelInvalidation(this.view, this.counters));
  }

  /** `load` through the view when it is enabled; `load` alone otherwise. `since`: see `HotView.read`. */
  read<T>(key: string, load: () => Promise<T>, tagsOf?: (value: T) => readonly string[], since?: number): Promise<T> {
    return this.enabled ? this.view.read(key, load, tagsOf, since) : load();
  }
}

/** Opens the LISTEN session with the gateway and closes it when the gateway stops. */
export class HotReadsLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly changes: ReadModelChanges) {}

  onModuleInit(): Promise<void> {
    return this.changes.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.changes.close();
  }
}
