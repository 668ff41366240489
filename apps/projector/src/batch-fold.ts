import { PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';

/**
 * A projection's fold of events of one type, each of another stream, in no particular order: the
 * rebuild's copy (ReadModelRebuild) gives it many at once. Where rows are keyed by the stream (a
 * user, an image, a repository's images and tags), it is the projection's only fold of that type:
 * the live projector calls it with one event, so the two paths cannot drift apart. Where two
 * events may touch one row (two lives of one repository name), it takes the common case in one
 * statement and hands the rest to the projection's per-event effect; `wave-fold.int.spec.ts`
 * holds both ways to the same rows, as the rebuild's `--verify` does.
 */
export type BatchFold = (client: PoolClient, events: PublishedEvent[]) => Promise<void>;

/** A projection's batch folds by event type; a type without one is folded event by event. */
export type BatchFolds = Partial<Record<string, BatchFold>>;
