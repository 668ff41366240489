import { ACCOUNTS_EVENTS } from './accounts/accounts.events';
import { ORGANIZATION_EVENTS } from './organizations/organizations.events';
import { IMAGE_EVENTS, IMAGES_EVENTS } from './images/images.events';
import { REPOSITORIES_EVENTS } from './repositories/repositories.events';
import { ServiceName } from './topics';
import { TOKENS_EVENTS } from './tokens/tokens.events';

/**
 * Which service publishes each event type: a service that handles `@EventPattern(type)` is
 * subscribed to that service's events topic, so a handler names the fact it reacts to and nothing
 * about topics.
 */
const SOURCES: Record<string, ServiceName> = Object.fromEntries([
  ...Object.values(ACCOUNTS_EVENTS).map((type) => [type, 'accounts']),
  ...Object.values(ORGANIZATION_EVENTS).map((type) => [type, 'accounts']),
  ...Object.values(REPOSITORIES_EVENTS).map((type) => [type, 'repositories']),
  ...Object.values(IMAGES_EVENTS).map((type) => [type, 'images']),
  ...Object.values(IMAGE_EVENTS).map((type) => [type, 'images']),
  ...Object.values(TOKENS_EVENTS).map((type) => [type, 'tokens']),
]);

export const sourceOfEvent = (type: string): ServiceName | undefined => SOURCES[type];

/** The `@EventPattern` of pulls and pushes on the activity topic (they are not aggregate events). */
export const REPOSITORY_ACTIVITY = 'RepositoryActivity';
