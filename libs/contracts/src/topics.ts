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
