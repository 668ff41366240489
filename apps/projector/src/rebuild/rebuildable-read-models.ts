import { PROJECTIONS } from '@dockyard/contracts';
import { FedProjection } from '../projection-consumers';

/** Columns of a table that no event carries (pull and push counts come from the activity topic). */
export interface KeptColumns {
  table: string;
  key: string[];
  columns: string[];
}

/** A read model `npm run rebuild` can rebuild: the projections that fill it and the tables they write. */
export interface RebuildableReadModel {
  projections: FedProjection[];
  /** Tables of schema `read` the projections write, and nothing else writes from events. */
  tables: string[];
  /** Copied from the live rows at the swap: what the events cannot give back. */
  kept: KeptColumns[];
}

/**
 * The repositories and their images, tags and stars are one read model: a deletion or a newer life of a
 * name clears the images and tags of the old one, so they are rebuilt together.
 */
export const REBUILDABLE_READ_MODELS: Record<string, RebuildableReadModel> = {
  users: { projections: [PROJECTIONS.users], tables: ['users'], kept: [] },
  repositories: {
    projections: [PROJECTIONS.repositories, PROJECTIONS.images],
    tables: ['repository_names', 'repositories', 'deleted_repositories', 'repository_images', 'tags', 'stars'],
    kept: [
      {
        table: 'repositories',
        key: ['repository_id'],
        columns: ['download_count', 'upload_count', 'pulled_at', 'pushed_at'],
      },
    ],
  },
  'image-metadata': { projections: [PROJECTIONS.imageMetadata], tables: ['images'], kept: [] },
  organizations: {
    projections: [PROJECTIONS.organizations],
    tables: ['organizations', 'organization_members', 'teams', 'team_members', 'team_repositories'],
    kept: [],
  },
};
