/*
 * The docker 1.x repository naming rules, shared by the repositories service (which decides) and the
 * gateway (which refuses a bad path before reading or writing anything): one definition of the rule.
 */

/** The admins' namespace: official repositories, and what a one-part name means. */
export const LIBRARY = 'library';

/** A user's namespace is the username: 4 to 30 of [a-z0-9_] (seed 000). */
const NAMESPACE = /^[a-z0-9_]{4,30}$/;
const NAME = /^[a-z0-9_.-]+$/;

/** `namespace/name` in all: docker 1.x's limit, so a name the client accepts fits everywhere. */
export const MAX_REPOSITORY_PATH_LENGTH = 255;

// Path words of the v1 API: a repository so named could not be addressed on every route.
const RESERVED = new Set(['images', 'tags', 'auth', 'json', 'layer', 'ancestry', '.', '..']);

export const NAMESPACE_RULE = 'Namespace must be a username (4 to 30 of [a-z0-9_]) or library';
export const REPOSITORY_NAME_RULE = `Repository name must be of [a-z0-9-_.], not a reserved word, and namespace/name at most ${MAX_REPOSITORY_PATH_LENGTH} characters`;

export function isNamespace(namespace: unknown): namespace is string {
  return typeof namespace === 'string' && (namespace === LIBRARY || NAMESPACE.test(namespace));
}

/** The name part; `namespace` must already be valid (the length counts `namespace/name` in all). */
export function isRepositoryName(namespace: string, name: unknown): name is string {
  return (
    typeof name === 'string' &&
    NAME.test(name) &&
    !RESERVED.has(name) &&
    namespace.length + 1 + name.length <= MAX_REPOSITORY_PATH_LENGTH
  );
}

/** Why `namespace/name` is not a repository name, or undefined when it is one. */
export function repositoryNameProblem(namespace: unknown, name: unknown): string | undefined {
  if (!isNamespace(namespace)) return NAMESPACE_RULE;
  if (!isRepositoryName(namespace, name)) return REPOSITORY_NAME_RULE;
  return undefined;
}

/**
 * Which copy of an image a request reaches (the images service's "namespace" of an image): a user's
 * or `library`'s namespace, or in an organization one repository (`org/name`), whose teams' rights
 * differ from its neighbours'.
 */
export function isImageScope(scope: unknown): scope is string {
  if (isNamespace(scope)) return true;
  if (typeof scope !== 'string') return false;
  const slash = scope.indexOf('/');
  return slash > 0 && repositoryNameProblem(scope.slice(0, slash), scope.slice(slash + 1)) === undefined;
}
