/** Facts the repositories service publishes on `dockyard.repositories.events`. */
export const REPOSITORIES_EVENTS = {
  RepositoryCreated: 'RepositoryCreated',
  RepositoryUpdated: 'RepositoryUpdated',
  RepositoryDeleted: 'RepositoryDeleted',
  RepositoryStarred: 'RepositoryStarred',
  RepositoryUnstarred: 'RepositoryUnstarred',
} as const;

export type RepositoryKind = 'user' | 'library';

export interface RepositoryMetadata {
  description: string;
  fullDescription: string;
  isPublic: boolean;
  logo: string;
}

export interface RepositoryCreatedV1 extends RepositoryMetadata {
  /** One id per incarnation: a name deleted and created again is a new repository with a fresh history. */
  repositoryId: string;
  namespace: string;
  name: string;
  kind: RepositoryKind;
  createdBy: string;
}
export interface RepositoryUpdatedV1 {
  repositoryId: string;
  namespace: string;
  name: string;
  changes: Partial<RepositoryMetadata>;
}
export interface RepositoryDeletedV1 {
  repositoryId: string;
  namespace: string;
  name: string;
}

/** A user's star on one life of a repository (stream `star-<repositoryId>-<username>`). */
export interface RepositoryStarV1 {
  repositoryId: string;
  namespace: string;
  name: string;
  username: string;
}

export const starStreamId = (repositoryId: string, username: string): string => `star-${repositoryId}-${username}`;

export const repositoryStreamId = (repositoryId: string): string => `repository-${repositoryId}`;
