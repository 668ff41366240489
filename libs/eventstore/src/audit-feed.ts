import { sha256 } from './sha256';
import { AuditEntry } from '@dockyard/contracts';
import { canonicalJson } from './canonical-json';

/**
 * The digest of one audit entry: every field the API serves, canonical JSON (jsonb keeps no key
 * order). Changing any of them in the read model changes it.
 */
export const auditEntryDigest = (entry: AuditEntry): string => sha256(canonicalJson(entry));

/**
 * The feed's running hash after `entry`: each head covers the one before, so the head at a
 * position proves every entry up to it (none changed, removed or inserted). A checkpoint signs one.
 */
export const nextFeedHash = (previousHead: string, entry: AuditEntry): string => sha256(previousHead + auditEntryDigest(entry));

/** The hash of an activity entry (it has no event hash): its own canonical JSON. */
export const activityHash = (activity: object): string => sha256(canonicalJson(activity));
