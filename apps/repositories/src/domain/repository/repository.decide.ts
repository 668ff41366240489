import { Actor, DomainError, REPOSITORIES_EVENTS, RepositoryMetadata } from '@dockyard/contracts';
import { DEFAULT_METADATA } from './repository-metadata';
import { RepositoryName } from './repository-name';
import { RepositoryEvent } from './repository.events';
import { RepositoryState } from './repository.state';

const COVERS: Record<string, string[]> = { admin: ['admin', 'write'], write: ['write'], read: [] };

/**
 * Who may create, change or delete in a namespace: its user, or an admin; `library` only admins;
 * in an organization's namespace, whoever the gateway found holds `admin` there (owners, admin
 * teams). `need: 'write'` is the push into an existing repository, which a `write` team may do.
 */
export function mayWrite(actor: Actor, name: Pick<RepositoryName, 'namespace' | 'isLibrary'>, need: 'admin' | 'write' = 'admin'): boolean {
  if (actor.admin) return true;
  if (!name.isLibrary && actor.username === name.namespace) return true;
  return !name.isLibrary && actor.permission !== undefined && (COVERS[actor.permission] ?? []).includes(need);
}

function mustMayWrite(actor: Actor, name: RepositoryName): void {
  if (mayWrite(actor, name)) return;
  throw new DomainError(
    'forbidden',
    name.isLibrary ? 'Only admins may change library repositories' : 'You may not change repositories in this namespace',
  );
}

export function create(
  state: RepositoryState,
  command: { actor: Actor; name: RepositoryName; repositoryId: string; metadata: Partial<RepositoryMetadata> },
): RepositoryEvent[] {
  mustMayWrite(command.actor, command.name);
  if (state.exists && !state.deleted) throw new DomainError('already-exists', 'Repository already exists');
  return [
    {
      type: REPOSITORIES_EVENTS.RepositoryCreated,
      data: {
        repositoryId: command.repositoryId,
        namespace: command.name.namespace,
        name: command.name.name,
        kind: command.name.isLibrary ? 'library' : 'user',
        createdBy: command.actor.username,
        ...DEFAULT_METADATA,
        ...command.metadata,
      },
    },
  ];
}

export function update(
  state: RepositoryState,
  command: { actor: Actor; name: RepositoryName; changes: Partial<RepositoryMetadata> },
): RepositoryEvent[] {
  mustExist(state);
  mustMayWrite(command.actor, command.name);
  const changes = Object.fromEntries(
    Object.entries(command.changes).filter(([key, value]) => state.metadata[key as keyof RepositoryMetadata] !== value),
  );
  if (Object.keys(changes).length === 0) return [];
  return [
    {
      type: REPOSITORIES_EVENTS.RepositoryUpdated,
      data: { repositoryId: state.repositoryId, namespace: state.namespace, name: state.name, changes },
    },
  ];
}

/** Deletion is a tombstone event: the history stays, the name is free again. */
export function remove(state: RepositoryState, command: { actor: Actor; name: RepositoryName }): RepositoryEvent[] {
  mustExist(state);
  mustMayWrite(command.actor, command.name);
  return [
    {
      type: REPOSITORIES_EVENTS.RepositoryDeleted,
      data: { repositoryId: state.repositoryId, namespace: state.namespace, name: state.name },
    },
  ];
}

function mustExist(state: RepositoryState): void {
  if (!state.exists || state.deleted) throw new DomainError('not-found', 'Repository not found');
}
