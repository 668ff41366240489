/** Topic and command-channel names. `prefix` lets tests and tenants run side by side on one broker. */
export const DEFAULT_TOPIC_PREFIX = 'dockyard';

export const SERVICES = ['accounts', 'repositories', 'images', 'tokens'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const eventsTopic = (service: ServiceName, prefix = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.${service}.events`;
export const commandsTopic = (service: ServiceName, prefix = DEFAULT_TOPIC_PREFIX): string =>
  `${prefix}.${service}.commands`;
export const repliesTopic = (prefix = DEFAULT_TOPIC_PREFIX): string => `${prefix}.replies`;
export const activityTopic = (prefix = DEFAULT_TOPIC_PREFIX): string => `${prefix}.activity`;

/**
 * How long each kind of topic keeps its messages. Events and activity are the log every read model
 * is rebuilt from (a new projection, a rebuild, a consumer down for a week), so they are kept for
 * ever (`retention.ms=-1`); compaction would not do, because every event of a stream matters, not
 * the last per key. Commands and replies are worthless once their sender has given up (its command
 * timeout, seconds), so an hour is plenty.
 */
export const TOPIC_RETENTION_MS = { events: -1, activity: -1, commands: 3_600_000, replies: 3_600_000 } as const;
