import { RequestOrigin } from './event-envelope';

/**
 * What travels on `dockyard.activity`: high-volume facts that are not in any aggregate's stream
 * (DESIGN §3). The projector folds them into read models; each is delivered at least once, so every
 * fold is idempotent.
 */
export type RepositoryActivity = SingleActivity | ActivityBatch;

/** One occurrence: a pull, a push, an image fetch, a login. */
export type SingleActivity = RepositoryCountActivity | ImageFetchedActivity | LoginActivity;

/**
 * Activities a gateway gathered over a few milliseconds, sent as one message and folded in one
 * transaction per consumer: at thousands of pulls per second, one commit per pull (and one per
 * pull again for its audit entry) is what PostgreSQL would spend its time on. Each entry keeps its
 * own activity id, so a batch delivered twice, or an entry also sent alone, counts once.
 */
export interface ActivityBatch {
  activityId: string;
  repositoryId: null;
  kind: 'batch';
  activities: SingleActivity[];
}

/** When a message's activity happened (a batch: its last entry), for consumer lag. */
export const activityTime = (activity: RepositoryActivity): string | undefined =>
  activity.kind === 'batch' ? activitiesOf(activity).at(-1)?.at : activity.at;

/** The single activities a message carries: itself, or a batch's entries. */
export const activitiesOf = (activity: RepositoryActivity): SingleActivity[] =>
  activity.kind === 'batch' ? (Array.isArray(activity.activities) ? activity.activities : []) : [activity];

/**
 * Who did it and from which request: the audit read model shows it (older activity has none).
 * `actor` is `user:<name>` or `anonymous`, as in MessageMetadata.
 */
export interface ActivityOrigin extends RequestOrigin {
  actor?: string;
}

/** A pull or a push of a repository, counted into its `download`/`upload` counters and audited. */
export interface RepositoryCountActivity extends ActivityOrigin {
  /** Unique per occurrence: a redelivered activity is counted once. */
  activityId: string;
  repositoryId: string;
  kind: 'pull' | 'push';
  at: string;
  /** The image ids served (pull) or listed by the pusher (push). */
  images?: string[];
}

/**
 * An identified user was served the layer of one namespace's copy of an image (`GET
 * /v1/images/<id>/layer`, 200 or 206): the provenance a mount needs (a non-`library` copy is mounted
 * into a pusher's namespace only if the pusher fetched that very copy). Folded into
 * `read.image_fetches`, idempotent by (username, namespace, imageId). `repositoryId` is null: no
 * repository counter changes (and on Kafka the message has no key: fetches need no order).
 */
export interface ImageFetchedActivity {
  activityId: string;
  repositoryId: null;
  kind: 'image-fetched';
  username: string;
  namespace: string;
  imageId: string;
  at: string;
}

/**
 * A login (`GET /v1/users/`) that succeeded, or Basic credentials that were refused on any route:
 * audit entries `LoginSucceeded` / `LoginFailed` of that username (which need not exist). Never the
 * password.
 */
export interface LoginActivity extends ActivityOrigin {
  activityId: string;
  repositoryId: null;
  kind: 'login-succeeded' | 'login-failed';
  username: string;
  at: string;
}
