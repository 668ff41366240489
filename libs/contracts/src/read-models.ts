/**
 * The read models the projector builds and the gateway reads: schema `read`, one checkpoint name per
 * projection in read.consumer_checkpoints (read-your-writes waits on them).
 */
export const READ_SCHEMA = 'read';

export const PROJECTIONS = {
  users: 'users',
  repositories: 'repositories',
  images: 'images',
  imageMetadata: 'image-metadata',
  organizations: 'organizations',
  /** Every service's events as audit entries (the activity topic's are folded beside it). */
  audit: 'audit',
} as const;
export type ProjectionName = (typeof PROJECTIONS)[keyof typeof PROJECTIONS];
