import { REPOSITORIES_EVENTS, RepositoryStarV1 } from '@dockyard/contracts';

export type StarEvent =
  | { type: typeof REPOSITORIES_EVENTS.RepositoryStarred; data: RepositoryStarV1 }
  | { type: typeof REPOSITORIES_EVENTS.RepositoryUnstarred; data: RepositoryStarV1 };
