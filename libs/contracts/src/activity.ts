/**
 * A pull or a push of a repository: high-volume counting that travels on `dockyard.activity`, not
 * in any aggregate's stream (DESIGN §3). The projector folds it into the repositories' counters.
 */
export interface RepositoryActivity {
  /** Unique per occurrence: a redelivered activity is counted once. */
  activityId: string;
  repositoryId: string;
  kind: 'pull' | 'push';
  at: string;
}
