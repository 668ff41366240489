/**
 * One entry of the audit read model (`read.audit_entries`, built by the projector), as the audit API
 * serves it (docs/api.md, Audit). `cursor` is the projector-assigned feed position: gap-free, in
 * the order the entries were recorded. Event entries copy the published event (its `data`, `hash`
 * and `prev_hash`); activity entries (`RepositoryPulled`, `RepositoryPushed`, `LoginSucceeded`,
 * `LoginFailed`) have `service: 'activity'`, no stream, and `hash` over the activity itself.
 */
export interface AuditEntry {
  cursor: string;
  /**
   * In a repository's history only: the entry's feed position, when `cursor` is its position in
   * that history instead (an entry that joined the history late: docs/api.md, Audit).
   */
  feed_cursor?: string;
  time: string;
  type: string;
  actor: string | null;
  source_ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  repository_id: string | null;
  service: string;
  stream: string | null;
  version: number | null;
  data: Record<string, unknown>;
  hash: string;
  prev_hash: string | null;
}

/** The audit entry types of the activity topic (the others are the events' own type names). */
export const AUDIT_ACTIVITY_TYPES = {
  pull: 'RepositoryPulled',
  push: 'RepositoryPushed',
  'login-succeeded': 'LoginSucceeded',
  'login-failed': 'LoginFailed',
} as const;

/** The `service` of activity entries. */
export const AUDIT_ACTIVITY_SERVICE = 'activity';

/** The running hash of an empty feed. */
export const AUDIT_FEED_GENESIS = '0'.repeat(64);
