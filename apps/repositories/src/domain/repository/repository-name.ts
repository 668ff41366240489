import { DomainError, LIBRARY, NAMESPACE_RULE, REPOSITORY_NAME_RULE, isNamespace, isRepositoryName } from '@dockyard/contracts';

export { LIBRARY };

/** `namespace/name`: a user's namespace is the username (seed 000 rules); `library` is the admins'. */
export class RepositoryName {
  private constructor(
    readonly namespace: string,
    readonly name: string,
  ) {}

  /** The docker 1.x rules (`repository-naming` in the contracts, which the gateway applies too). */
  static create(namespace: unknown, name: unknown): RepositoryName {
    if (!isNamespace(namespace)) throw new DomainError('invalid', NAMESPACE_RULE);
    if (!isRepositoryName(namespace, name)) throw new DomainError('invalid', REPOSITORY_NAME_RULE);
    return new RepositoryName(namespace, name);
  }

  get isLibrary(): boolean {
    return this.namespace === LIBRARY;
  }

  get fullName(): string {
    return `${this.namespace}/${this.name}`;
  }
}
