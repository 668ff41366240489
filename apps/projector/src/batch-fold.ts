import { PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';

/**
 * A projection's fold of many events of one type at once, used by the rebuild's copy
 * (ReadModelRebuild). The events it is given are each of another stream, in no particular order;
 * the outcome must be that of the projection's per-event effect applied to each. Where rows are
 * keyed by the stream (a user, an image, a repository's images and tags), no two events touch one
 * row and a statement folds them all; where they may (two lives of one repository name), the fold
 * takes the common case in one statement and hands the rest to the per-event effect. The per-event effect stays the one truth for the live projector; the rebuild's
 * row-for-row comparison (`--verify`) and `batch-folds.int.spec.ts` hold the two equal.
 */
export type BatchFold = (client: PoolClient, events: PublishedEvent[]) => Promise<void>;

/** A projection's batch folds by event type; a type without one is folded event by event. */
export type BatchFolds = Partial<Record<string, BatchFold>>;
