import { LRUCache } from 'lru-cache';

interface Entry {
  value: unknown;
  tags: readonly string[];
}

/** What the hot view needs from the read-model channel (ReadModelChanges). */
export interface ChangeFence {
  /** Only while true are notifications heard, so only then may an entry be kept or served. */
  readonly listening: boolean;
  /** Resolves true once every change committed before `since` (default: the call) has been heard. */
  fence(since?: number): Promise<boolean>;
}

/**
 * A bounded in-memory copy of read-model rows, kept true by the read models' change notifications.
 *
 * - An entry is served only after a fence: every change committed before the request has been
 *   applied to the view by then, so no replica answers older than a write already acknowledged.
 * - An entry has a key (the lookup) and tags (the ids a change may name, e.g. its repository id);
 *   `invalidate` takes a key or a tag.
 * - A miss reads the read model; its result is kept only if no invalidation of its key or tags and
 *   no flush happened since the read began (a change committed just after the read's snapshot may
 *   have been announced meanwhile: keeping the row would keep it stale). Later invalidations find
 *   the entry and drop it, so either way nothing stale outlives its change's notification.
 * - While nothing is listening (the LISTEN session is lost) everything is read from the read models.
 */
export class HotView {
  private readonly entries: LRUCache<string, Entry>;
  private readonly byTag = new Map<string, Set<string>>();
  /** Invalidation clock: each invalidation or flush is one tick. */
  private clock = 0;
  private flushedAt = 0;
  /** Key or tag → the tick of its last invalidation, kept while a read that began earlier is in flight. */
  private readonly invalidatedAt = new Map<string, number>();
  /** Reads in flight → the tick they began at (insertion order is start order). */
  private readonly reads = new Map<number, number>();
  private readSeq = 0;

  constructor(
    private readonly changes: ChangeFence,
    maxEntries: number,
  ) {
    this.entries = new LRUCache<string, Entry>({
      max: Math.max(1, maxEntries),
      dispose: (entry, key) => this.untag(key, entry.tags),
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The value under `key`: from memory after a fence, else by `load` (kept unless it is
   * `undefined`, nothing to tag, or raced by an invalidation). `tagsOf` names what changes touch it.
   * `since` (`performance.now()`, a request's arrival; default: the call) is the instant before
   * which every committed change is in the answer.
   */
  async read<T>(key: string, load: () => Promise<T>, tagsOf: (value: T) => readonly string[] = () => [], since?: number): Promise<T> {
    if (!this.changes.listening) return load();
    if (this.entries.has(key) && (await this.changes.fence(since))) {
      // The fence applied every earlier change: what is still here is current.
      const entry = this.entries.get(key);
      if (entry) return entry.value as T;
    }
    const id = ++this.readSeq;
    const began = this.clock;
    this.reads.set(id, began);
    let value: T;
    try {
      value = await load();
    } finally {
      this.reads.delete(id);
    }
    // No await between the load's result and here: no notification can be handled in between.
    if (value !== undefined && this.changes.listening) {
      const tags = tagsOf(value);
      if (this.untouchedSince(began, key, tags)) this.keep(key, value, tags);
    }
    this.forgetOldInvalidations();
    return value;
  }

  /** Drops the entry under `keyOrTag` and every entry tagged with it; reads in flight will not keep theirs. */
  invalidate(keyOrTag: string): void {
    this.clock++;
    this.invalidatedAt.set(keyOrTag, this.clock);
    this.entries.delete(keyOrTag);
    for (const key of [...(this.byTag.get(keyOrTag) ?? [])]) this.entries.delete(key);
  }

  /** Replaces the values of the entries tagged `tag` (a change that moves values monotonically, in place). */
  patch<T>(tag: string, update: (value: T) => T): void {
    for (const key of this.byTag.get(tag) ?? []) {
      const entry = this.entries.peek(key);
      if (entry) entry.value = update(entry.value as T);
    }
  }

  /** Forgets everything (notifications missed, tables replaced); reads in flight keep nothing. */
  flush(): void {
    this.clock++;
    this.flushedAt = this.clock;
    this.entries.clear();
    this.byTag.clear();
  }

  private untouchedSince(began: number, key: string, tags: readonly string[]): boolean {
    if (this.flushedAt > began) return false;
    return [key, ...tags].every((k) => (this.invalidatedAt.get(k) ?? 0) <= began);
  }

  private keep(key: string, value: unknown, tags: readonly string[]): void {
    this.entries.set(key, { value, tags });
    for (const tag of tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  private untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }

  /** Invalidation ticks older than every read in flight can no longer refuse anything. */
  private forgetOldInvalidations(): void {
    if (this.reads.size === 0) {
      this.invalidatedAt.clear();
      return;
    }
    if (this.invalidatedAt.size < 1024) return;
    const oldest = this.reads.values().next().value as number;
    for (const [k, at] of this.invalidatedAt) if (at <= oldest) this.invalidatedAt.delete(k);
  }
}
