import { REPOSITORIES_EVENTS, RepositoryKind, RepositoryMetadata } from '@dockyard/contracts';
import { DEFAULT_METADATA } from './repository-metadata';
import { RepositoryEvent } from './repository.events';

export interface RepositoryState {
  exists: boolean;
  deleted: boolean;
  repositoryId: string;
  namespace: string;
  name: string;
  kind: RepositoryKind;
  metadata: RepositoryMetadata;
}

export const initialRepositoryState = (): RepositoryState => ({
  exists: false,
  deleted: false,
  repositoryId: '',
  namespace: '',
  name: '',
  kind: 'user',
  metadata: { ...DEFAULT_METADATA },
});

export function evolve(state: RepositoryState, event: RepositoryEvent): RepositoryState {
  switch (event.type) {
    case REPOSITORIES_EVENTS.RepositoryCreated: {
      const { repositoryId, namespace, name, kind, description, fullDescription, isPublic, logo } = event.data;
      return { ...state, exists: true, repositoryId, namespace, name, kind, metadata: { description, fullDescription, isPublic, logo } };
    }
    case REPOSITORIES_EVENTS.RepositoryUpdated:
      return { ...state, metadata: { ...state.metadata, ...event.data.changes } };
    case REPOSITORIES_EVENTS.RepositoryDeleted:
      return { ...state, deleted: true };
  }
}

export const foldRepository = (events: RepositoryEvent[]): RepositoryState => events.reduce(evolve, initialRepositoryState());
