import {
  REPOSITORIES_EVENTS,
  RepositoryCreatedV1,
  RepositoryDeletedV1,
  RepositoryUpdatedV1,
} from '@dockyard/contracts';

export type RepositoryEvent =
  | { type: typeof REPOSITORIES_EVENTS.RepositoryCreated; data: RepositoryCreatedV1 }
  | { type: typeof REPOSITORIES_EVENTS.RepositoryUpdated; data: RepositoryUpdatedV1 }
  | { type: typeof REPOSITORIES_EVENTS.RepositoryDeleted; data: RepositoryDeletedV1 };
