import { AuditEntry } from '@dockyard/contracts';

/** A repository name as it was at one instant (`GET /v1/audit/repositories/.../state?at=`). */
export interface RepositoryStateAt {
  exists: boolean;
  repository_id: string | null;
  is_public: boolean | null;
  description: string | null;
  full_description: string | null;
  images: string[];
  tags: Record<string, string>;
}

export const NO_REPOSITORY: RepositoryStateAt = {
  exists: false,
  repository_id: null,
  is_public: null,
  description: null,
  full_description: null,
  images: [],
  tags: {},
};

type Data = Record<string, any>;

/**
 * One entry applied to the state. A name has lives one after the other: `RepositoryCreated` starts
 * a life (whatever came before), and entries of any other life than the current one change nothing.
 */
export function applyEntry(state: RepositoryStateAt, entry: Pick<AuditEntry, 'type' | 'data' | 'repository_id'>): RepositoryStateAt {
  const data = entry.data as Data;
  if (entry.type === 'RepositoryCreated') {
    return {
      exists: true,
      repository_id: entry.repository_id,
      is_public: data.isPublic ?? null,
      description: data.description ?? null,
      full_description: data.fullDescription ?? null,
      images: [],
      tags: {},
    };
  }
  if (!state.exists || entry.repository_id !== state.repository_id) return state;
  switch (entry.type) {
    case 'RepositoryUpdated': {
      const changes = (data.changes ?? {}) as Data;
      return {
        ...state,
        is_public: changes.isPublic ?? state.is_public,
        description: changes.description ?? state.description,
        full_description: changes.fullDescription ?? state.full_description,
      };
    }
    case 'ImagesAdded': {
      const added = ((data.images ?? []) as { id: string }[]).map((image) => image.id).filter((id) => !state.images.includes(id));
      return added.length ? { ...state, images: [...state.images, ...added] } : state;
    }
    case 'TagSet':
      return { ...state, tags: { ...state.tags, [data.tag]: data.imageId } };
    case 'TagDeleted': {
      const { [data.tag as string]: _removed, ...tags } = state.tags;
      return { ...state, tags };
    }
    case 'RepositoryDeleted':
      return { ...NO_REPOSITORY, repository_id: state.repository_id };
    default:
      return state;
  }
}

/** The state after `entries` (in the order they happened): the fold the `state` endpoint answers. */
export const foldRepositoryState = (entries: Pick<AuditEntry, 'type' | 'data' | 'repository_id'>[]): RepositoryStateAt =>
  entries.reduce(applyEntry, NO_REPOSITORY);
