import { DomainError } from '@dockyard/contracts';

const NAMESPACE = /^[a-z0-9_]{4,30}$/;
const NAME = /^[a-z0-9_.-]{1,255}$/;
// Path words of the v1 API: a repository so named could not be addressed on every route.
const RESERVED = new Set(['images', 'tags', 'auth', 'json', 'layer', 'ancestry', '.', '..']);

export const LIBRARY = 'library';

/** `namespace/name`: a user's namespace is the username (seed 000 rules); `library` is the admins'. */
export class RepositoryName {
  private constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}

  static create(namespace: unknown, name: unknown): RepositoryName {
    if (typeof namespace !== 'string' || (namespace !== LIBRARY && !NAMESPACE.test(namespace))) {
      throw new DomainError('invalid', 'Namespace must be a username (4 to 30 of [a-z0-9_]) or library');
    }
    if (typeof name !== 'string' || !NAME.test(name) || RESERVED.has(name)) {
      throw new DomainError('invalid', 'Repository name must be 1 to 255 of [a-z0-9-_.] and not a reserved word');
    }
    return new RepositoryName(namespace, name);
  }

  get isLibrary(): boolean {
    return this.namespace === LIBRARY;
  }

  get fullName(): string {
    return `${this.namespace}/${this.name}`;
  }
}
