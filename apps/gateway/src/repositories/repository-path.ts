/**
 * `/v1/repositories/foo/...` and `/v1/repositories/library/foo/...` are the same repository on
 * every route (protocol.md §1.0): one path segment means the `library` namespace.
 */
export interface RepositoryPath {
  namespace: string;
  name: string;
  /** `namespace/name`, as tokens name it. */
  fullName: string;
}

export function repositoryPath(first: string, second?: string): RepositoryPath {
  const namespace = second === undefined ? 'library' : first;
  const name = second === undefined ? first : second;
  return { namespace, name, fullName: `${namespace}/${name}` };
}
