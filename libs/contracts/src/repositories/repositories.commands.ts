import { TeamPermission } from '../organizations/organizations.events';
import { WrittenStream } from '../event-envelope';
import { RepositoryMetadata } from './repositories.events';

export const REPOSITORIES_COMMANDS = {
  CreateRepository: 'repositories.create',
  UpdateRepository: 'repositories.update',
  DeleteRepository: 'repositories.delete',
  StarRepository: 'repositories.star',
} as const;

/** The authenticated caller, as the gateway established it. */
export interface Actor {
  username: string;
  admin: boolean;
  /**
   * What the actor may do to the target repository through an organization, as the gateway read it
   * (an owner: `admin`; a team member: the team's permission on that repository). Absent: nothing
   * beyond its own namespace.
   */
  permission?: TeamPermission;
}

export interface CreateRepositoryCommand {
  actor: Actor;
  namespace: string;
  name: string;
  metadata?: Partial<RepositoryMetadata>;
  /** The docker push re-sends the create on every push: an existing repository the actor may write is fine. */
  existing: 'reuse' | 'refuse';
}
export interface CreateRepositoryReply {
  repositoryId: string;
  created: boolean;
  written: WrittenStream | null;
}

export interface UpdateRepositoryCommand {
  actor: Actor;
  namespace: string;
  name: string;
  changes: Partial<RepositoryMetadata>;
}
export type UpdateRepositoryReply = WrittenStream | null;

export interface DeleteRepositoryCommand {
  actor: Actor;
  namespace: string;
  name: string;
}
export type DeleteRepositoryReply = WrittenStream & { repositoryId: string };

/** Star (`starred: true`) or unstar a repository for the actor; idempotent. */
export interface StarRepositoryCommand {
  actor: Actor;
  namespace: string;
  name: string;
  starred: boolean;
}
export type StarRepositoryReply = WrittenStream | null;
