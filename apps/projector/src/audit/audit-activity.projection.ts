import { PoolClient } from 'pg';
import {
  AUDIT_ACTIVITY_SERVICE,
  AUDIT_ACTIVITY_TYPES,
  LoginActivity,
  RepositoryActivity,
  RepositoryCountActivity,
  SingleActivity,
  activitiesOf,
} from '@dockyard/contracts';
import { activityHash } from '@dockyard/eventstore';
import { NewAuditEntry } from './audit-feed';
import { mapInSlices } from '../event-loop-slices';

export type AuditedActivity = RepositoryCountActivity | LoginActivity;

const isAudited = (activity: SingleActivity): activity is AuditedActivity => activity.kind in AUDIT_ACTIVITY_TYPES;

/** The activities of a message that the audit records (image fetches are provenance for mounts, not audited). */
export const auditedActivities = (activity: RepositoryActivity): AuditedActivity[] => activitiesOf(activity).filter(isAudited);

/**
 * Pulls, pushes and logins from `dockyard.activity` become audit entries (`RepositoryPulled`,
 * `RepositoryPushed`, `LoginSucceeded`, `LoginFailed`), once per activity id: the topic delivers at
 * least once, and a message may be received again after its entries are in the feed. The entries of
 * `activities` that the feed does not hold yet, in order, for the caller's feed transaction.
 */
export async function freshActivityEntries(client: PoolClient, activities: AuditedActivity[]): Promise<NewAuditEntry[]> {
  if (activities.length === 0) return [];
  const { rows } = await client.query<{ activity_id: string }>(
    'SELECT activity_id FROM read.audit_entries WHERE activity_id = ANY($1::text[])',
    [activities.map((entry) => entry.activityId)],
  );
  const seen = new Set(rows.map((row) => row.activity_id));
  const unseen: AuditedActivity[] = [];
  for (const entry of activities) {
    if (seen.has(entry.activityId)) continue;
    seen.add(entry.activityId);
    unseen.push(entry);
  }
  // Each entry hashes its activity: in slices, a batch of pulls is hundreds of hashes.
  return mapInSlices(unseen, activityEntry);
}

/** What an activity says, as entry data: who and what, never more than the activity carried. */
function activityEntry(activity: AuditedActivity): NewAuditEntry {
  const login = activity.kind === 'login-succeeded' || activity.kind === 'login-failed' ? activity : null;
  const data: Record<string, unknown> = login
    ? { username: login.username }
    : { images: (activity as RepositoryCountActivity).images ?? [], repositoryId: activity.repositoryId }; // keys in canonical order: the feed hashes it
  return {
    time: new Date(activity.at).toISOString(),
    type: AUDIT_ACTIVITY_TYPES[activity.kind],
    actor: activity.actor ?? null,
    source_ip: activity.sourceIp ?? null,
    user_agent: activity.userAgent ?? null,
    request_id: activity.requestId ?? null,
    repository_id: activity.repositoryId,
    service: AUDIT_ACTIVITY_SERVICE,
    stream: null,
    version: null,
    data,
    hash: activityHash(activity),
    prev_hash: null,
    username: login?.username ?? null,
    imageRef: null,
    activityId: activity.activityId,
  };
}
