import { LRUCache } from 'lru-cache';
import { ReadModelChange } from '@dockyard/eventstore';
import { HOT } from './hot-keys';
import { HotView } from './hot-view';

/** The activity columns of a repository row (RepositoryView's). */
interface Counters {
  downloadCount: number;
  uploadCount: number;
  pulledAt: Date | null;
  pushedAt: Date | null;
}
type CountedRow = Counters & { repositoryId: string };

const later = (a: Date | null, b: Date | null): Date | null => (a && b ? (a >= b ? a : b) : (a ?? b));

/**
 * The pull and push counters of repositories, as the activity projection announces them. They only
 * grow (counts +1, times GREATEST) within a repository's life, so the freshest value is the largest
 * one seen: an announced value is merged into a cached row, and into a row read while it was being
 * announced (whose snapshot may predate it), without evicting the row every pull reads.
 */
export class RepositoryCounters {
  private readonly announced = new LRUCache<string, Counters>({ max: 10_000 });

  announce(change: Extract<ReadModelChange, { kind: 'counters' }>, view: HotView): void {
    const counters: Counters = {
      downloadCount: change.downloadCount,
      uploadCount: change.uploadCount,
      pulledAt: change.pulledAt ? new Date(change.pulledAt) : null,
      pushedAt: change.pushedAt ? new Date(change.pushedAt) : null,
    };
    const known = this.announced.get(change.repositoryId);
    this.announced.set(change.repositoryId, known ? merge(known, counters) : counters);
    view.patch<CountedRow>(HOT.repositoryCounters(change.repositoryId), (row) => ({ ...row, ...merge(row, counters) }));
  }

  /** `row` with the largest counters known. */
  merge<T extends CountedRow>(row: T): T {
    const known = this.announced.get(row.repositoryId);
    return known ? { ...row, ...merge(row, known) } : row;
  }

  /** Announcements may have been missed or the tables replaced: only the read model knows now. */
  forget(): void {
    this.announced.clear();
  }
}

function merge(a: Counters, b: Counters): Counters {
  return {
    downloadCount: Math.max(a.downloadCount, b.downloadCount),
    uploadCount: Math.max(a.uploadCount, b.uploadCount),
    pulledAt: later(a.pulledAt, b.pulledAt),
    pushedAt: later(a.pushedAt, b.pushedAt),
  };
}
