import { RepositoryView } from './repositories.read-model';

/** A repository as seed 004 shows it (detail and list entries); `starred`: by the caller (detail only). */
export const repositoryJson = (view: RepositoryView, starred = false) => ({
  namespace: view.namespace,
  repo_name: view.name,
  repo_path: `${view.namespace}/${view.name}`,
  description: view.description,
  full_description: view.fullDescription,
  is_public: view.isPublic,
  is_automated: false,
  is_official: view.kind === 'library',
  logo: view.logo,
  repo_starred_count: view.starCount,
  is_repo_starred: starred,
  download: view.downloadCount,
  upload: view.uploadCount,
  pulled_at: view.pulledAt?.toISOString() ?? null,
  pushed_at: view.pushedAt?.toISOString() ?? null,
  created_at: view.createdAt.toISOString(),
  updated_at: view.updatedAt.toISOString(),
});
