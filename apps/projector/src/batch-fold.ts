import { PoolClient } from 'pg';
import { PublishedEvent } from '@dockyard/contracts';

/**
 * A projection's fold of many events of one type in one statement, used by the rebuild's copy
 * (ReadModelRebuild). The events it is given are each of another stream, and a projection offers a
 * batch fold only for types whose rows are keyed by their stream (a user, an image), so no two of
 * them touch one row: the outcome must be that of its per-event effect applied to each, in any
 * order. The per-event effect stays the one truth for the live projector; the rebuild's
 * row-for-row comparison (`--verify`) and `batch-folds.int.spec.ts` hold the two equal.
 */
export type BatchFold = (client: PoolClient, events: PublishedEvent[]) => Promise<void>;

/** A projection's batch folds by event type; a type without one is folded event by event. */
export type BatchFolds = Partial<Record<string, BatchFold>>;
