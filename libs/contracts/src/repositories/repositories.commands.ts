import { WrittenStream } from '../event-envelope';
import { RepositoryMetadata } from './repositories.events';

export const REPOSITORIES_COMMANDS = {
  CreateRepository: 'repositories.create',
  UpdateRepository: 'repositories.update',
  DeleteRepository: 'repositories.delete',
} as const;

/** The authenticated caller, as the gateway established it. */
export interface Actor {
  username: string;
  admin: boolean;
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
