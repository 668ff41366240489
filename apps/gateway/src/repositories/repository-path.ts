import { DomainError, LIBRARY, NAMESPACE_RULE, isNamespace, repositoryNameProblem } from '@dockyard/contracts';

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

/**
 * The repository a path names, refused with a 400 before anything is read or written when it breaks
 * the docker 1.x naming rules (the rule the repositories service applies: libs/contracts).
 */
export function repositoryPath(first: string, second?: string): RepositoryPath {
  const namespace = second === undefined ? LIBRARY : first;
  const name = second === undefined ? first : second;
  const problem = repositoryNameProblem(namespace, name);
  if (problem) throw new DomainError('invalid', problem);
  return { namespace, name, fullName: `${namespace}/${name}` };
}

/** A namespace path part (lists, seed 004's create), refused like a repository name. */
export function namespacePath(namespace: string): string {
  if (!isNamespace(namespace)) throw new DomainError('invalid', NAMESPACE_RULE);
  return namespace;
}
