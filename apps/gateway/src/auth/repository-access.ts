import { LRUCache } from 'lru-cache';
import { FastifyRequest } from 'fastify';
import { noteCaller } from '../http/command-identity';
import { readMetadata } from '../http/request-metadata';
import { Actor, DomainError, TOKENS_COMMANDS, TeamPermission, TokenAccess, ValidateTokenReply, isDomainError } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { ClientProxy } from '@nestjs/microservices';
import { RepositoriesReadModel, RepositoryView } from '../repositories/repositories.read-model';
import { OrganizationsReadModel, covers } from '../organizations/organizations.read-model';
import { UsersReadModel } from '../users/users.read-model';
import { Authenticator, Principal } from './authenticator';
import { GatewayTokens } from './gateway-tokens';
import { arrivalOf } from '../http/request-arrival';

/** The repository token of `Authorization: Token ...`, if one is there (an empty `Token ` is none). */
export const presentedToken = (request: FastifyRequest): string | undefined =>
  /^Token\s+(.*)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() || undefined;

/** Who is calling a repository route, and how they proved it. */
export type Caller =
  | { kind: 'anonymous' }
  | { kind: 'user'; principal: Principal }
  | { kind: 'token'; grant: ValidateTokenReply };

/** A user's own namespace: the one named after him (`library` is nobody's). */
export const ownsNamespace = (principal: Principal, namespace: string): boolean => namespace !== 'library' && principal.username === namespace;

/** The repositories service's rule, read side: a namespace's user, or an admin; `library` admins only. */
export const mayWriteIn = (principal: Principal, namespace: string): boolean => principal.admin || ownsNamespace(principal, namespace);

/**
 * Decides access to a repository for the index and registry routes: a token issued by the index
 * (checked by the tokens service), Basic credentials, or nobody. Private repositories answer 404 to
 * whoever may not read them, so their names do not leak.
 */
export class RepositoryAccess {
  constructor(
    private readonly tokensClient: ClientProxy,
    private readonly authenticator: Authenticator,
    private readonly repositories: RepositoriesReadModel,
    private readonly users: UsersReadModel,
    private readonly organizations: OrganizationsReadModel,
    /** Null: no DOCKYARD_TOKEN_KEY here, every token is validated by the tokens service. */
    private readonly tokens: GatewayTokens | null = null,
  ) {}

  private readonly organizationOwned = new LRUCache<string, boolean>({ max: 100_000 });

  /**
   * What `principal` may do to `namespace/name`: everything (`admin`) in its own namespace or as an
   * admin; through an organization, what its role or teams grant; else nothing (null).
   */
  async permission(principal: Principal, repository: { namespace: string; name: string }): Promise<TeamPermission | null> {
    if (mayWriteIn(principal, repository.namespace)) return 'admin';
    return this.organizations.permission(principal.username, repository.namespace, repository.name);
  }

  async mayRead(principal: Principal, repository: RepositoryView): Promise<boolean> {
    return repository.isPublic || (await this.permission(principal, repository)) !== null;
  }

  /**
   * Who may create repositories in a namespace: its user, an owner of the organization, an admin
   * where a user or an organization has the namespace (or `library`). Not an admin in a namespace
   * nobody has: whoever registered that name later would own the repositories made there before,
   * private ones and their audit history included.
   */
  async mayCreateIn(principal: Principal, namespace: string): Promise<boolean> {
    if (ownsNamespace(principal, namespace)) return true;
    if (principal.admin) return namespace === 'library' || (await this.namespaceIsClaimed(namespace));
    return (await this.organizations.role(principal.username, namespace)) === 'owner';
  }

  /** Whether a user or an organization has the name (names are unique across both). */
  async namespaceIsClaimed(namespace: string): Promise<boolean> {
    return (await this.users.find(namespace)) !== undefined || (await this.organizations.isOrganization(namespace));
  }

  /**
   * The actor a repositories command carries: the organization permission goes along, so the
   * repositories service (which owns no organizations) applies the same rule.
   */
  async actorFor(principal: Principal, repository: { namespace: string; name: string }): Promise<Actor> {
    const actor: Actor = { username: principal.username, admin: principal.admin };
    if (mayWriteIn(principal, repository.namespace)) return actor;
    const permission = await this.permission(principal, repository);
    return permission ? { ...actor, permission } : actor;
  }

  /**
   * `known` is the repository's read-model row when the route has looked it up already; otherwise a
   * token's repository is looked up here (the registry image routes).
   *
   * `refusedAs`: makes what a refused token is answered with when the repository is missing or private,
   * unless the token proves it knew this very repository (its grant, MAC checked, names this
   * repository's id). Otherwise any token (garbage, forged, expired, or another repository's)
   * would tell a private repository from a free name by a 403 against the 404 of a missing one.
   * A maker, not an error: an Error captures its stack when made, and made on every request it was
   * 6 % of the hub's CPU on `GET .../images` (a CPU profile under load), for an answer rarely given.
   */
  async caller(
    request: FastifyRequest,
    repository: string,
    tokenAccess: TokenAccess | 'any',
    known?: RepositoryView,
    refusedAs?: () => DomainError,
  ): Promise<Caller> {
    const header = request.headers.authorization ?? '';
    const token = presentedToken(request);
    if (token) {
      const since = arrivalOf(request);
      const view = known ?? (await this.findByFullName(repository, since));
      let grant: ValidateTokenReply | undefined;
      try {
        grant = (await this.validatedHere(token, repository, tokenAccess, view, since)) ?? (await this.validatedByTokensService(request, token, repository, tokenAccess));
        await this.assertTokenStillOpens(grant, view, since);
      } catch (error) {
        const provesThisRepository = grant !== undefined && view !== undefined && grant.repositoryId === view.repositoryId;
        if (refusedAs && !view?.isPublic && !provesThisRepository && isRefusal(error)) throw refusedAs();
        throw error;
      }
      noteCaller(request, `token:${grant.username ?? 'anonymous'}:${grant.repositoryId}`);
      return { kind: 'token', grant };
    }
    // An empty `Token ` is what the client sends when the index gave it none: anonymous.
    const principal = /^Token/i.test(header) ? null : await this.authenticator.authenticate(request);
    if (!principal) return { kind: 'anonymous' };
    if (!principal.active) throw new DomainError('inactive', 'Account is not active');
    return { kind: 'user', principal };
  }

  private validatedByTokensService(request: FastifyRequest, token: string, repository: string, access: TokenAccess | 'any'): Promise<ValidateTokenReply> {
    return sendCommand<ValidateTokenReply>(this.tokensClient, TOKENS_COMMANDS.ValidateToken, { token, repository, access }, readMetadata(request));
  }

  /**
   * A token checked without the tokens service, when the read models this gateway reads decide
   * every revocation rule (revocations.ts) alone: MAC, expiry, repository and access first (403);
   * then the repository must be the one the grant names (deleted, or deleted and created again: its
   * row is gone or has another id) and the user's credentials unchanged since (users read model).
   * The rules are the same whatever the grant's access (read, write, delete). Undefined, to ask
   * the tokens service, for a repository this gateway has no row of, a users row older than the grant, and a user's grant
   * for an organization's repository: leaving an organization voids that user's earlier tokens
   * there even once back in it, a fact only the tokens service keeps (tokens.membership_revocations).
   */
  private async validatedHere(
    token: string,
    repository: string,
    access: TokenAccess | 'any',
    view: RepositoryView | undefined,
    since: number,
  ): Promise<ValidateTokenReply | undefined> {
    if (!this.tokens) return undefined;
    const grant = this.tokens.verify(token, repository, access);
    if (!view) return undefined;
    const reply: ValidateTokenReply = { repositoryId: grant.repositoryId, access: grant.access, username: grant.username };
    if (view.repositoryId !== grant.repositoryId) return reply; // assertTokenStillOpens refuses it
    if (grant.username === null) return reply;
    if (view.namespace !== grant.username && (await this.ownedByOrganization(view))) return undefined;
    const user = await this.users.find(grant.username, since);
    if (!user || grant.credentialsVersion === null || user.credentialsVersion < grant.credentialsVersion) return undefined;
    if (user.credentialsVersion !== grant.credentialsVersion) throw new DomainError('forbidden', 'Token was revoked');
    return reply;
  }

  /**
   * Whether the repository lives in an organization's namespace, the only kind of namespace whose
   * tokens a membership change voids. Kept by repository id: names are unique across users and
   * organizations and a repository never moves, so the answer holds for the repository's life.
   */
  /** Whether an organization has the repository's namespace (never changes for a repository: names are unique across users and organizations). */
  async ownedByOrganization(view: RepositoryView): Promise<boolean> {
    if (view.kind === 'library') return false;
    let owned = this.organizationOwned.get(view.repositoryId);
    if (owned === undefined) {
      owned = await this.organizations.isOrganization(view.namespace);
      this.organizationOwned.set(view.repositoryId, owned);
    }
    return owned;
  }

  /**
   * A token is signed while its holder may use it, but its day of life outlasts that:
   * - once the repository is private, a token opens it only for a holder who may read it now (the
   *   namespace's user, an admin, an organization owner or a team with access), per the read models —
   *   the same rows the `PUT` that made it private waited for, so every replica refuses from the
   *   moment that `PUT` answered. A grant without a user (an anonymous pull's) opens no private
   *   repository;
   * - a write or delete token changes the repository only while its holder may still do so (write;
   *   delete: admin), public or not: an admin's token for someone else's repository ends with the
   *   admin role, a team member's with the team's write permission.
   * 403, not 404: the holder was given the name.
   */
  private async assertTokenStillOpens(grant: ValidateTokenReply, repository: RepositoryView | undefined, since: number): Promise<void> {
    if (!repository) return;
    // A token of an earlier repository of that name (deleted, then created again) never opens the
    // new one, even before the tokens service has learnt of the deletion.
    if (repository.repositoryId !== grant.repositoryId) throw new DomainError('forbidden', 'Token is for another repository');
    const changes = grant.access !== 'read';
    if (repository.isPublic && !changes) return;
    const refused = () =>
      new DomainError(
        'forbidden',
        changes ? 'This token no longer lets its holder change the repository' : 'This token no longer opens the repository: it is private',
      );
    if (!grant.username) throw refused();
    const user = await this.users.find(grant.username, since);
    if (!user || !user.active) throw refused();
    const holder: Principal = { username: user.username, active: user.active, admin: user.admin, credentialsVersion: user.credentialsVersion };
    if (changes) {
      if (!covers(await this.permission(holder, repository), grant.access === 'delete' ? 'admin' : 'write')) throw refused();
      return;
    }
    if (!(await this.mayRead(holder, repository))) throw refused();
  }

  private async findByFullName(fullName: string, since: number): Promise<RepositoryView | undefined> {
    const slash = fullName.indexOf('/');
    if (slash < 0) return undefined;
    return this.repositories.find(fullName.slice(0, slash), fullName.slice(slash + 1), since);
  }

  /** For reads: a token for this repository, or credentials that may read it, or a public repository. */
  async requireRead(request: FastifyRequest, repository: RepositoryView | undefined, fullName: string): Promise<Caller> {
    // The caller first, whether or not the name exists: wrong credentials are a 401 and a refused
    // token a 404 for a missing and a private repository alike.
    const caller = await this.caller(request, fullName, 'any', repository, repositoryNotFound);
    if (!repository) throw repositoryNotFound();
    if (caller.kind === 'token') return caller;
    if (repository.isPublic) return caller;
    if (caller.kind === 'user' && (await this.mayRead(caller.principal, repository))) return caller;
    throw repositoryNotFound();
  }

  /**
   * For writes: a token of that access for this repository, or credentials of someone who may
   * write (images, tags: `write`; deletion: `admin`).
   */
  async requireWrite(
    request: FastifyRequest,
    repository: RepositoryView | undefined,
    fullName: string,
    access: 'write' | 'delete' = 'write',
  ): Promise<Caller> {
    const caller = await this.caller(request, fullName, access, repository);
    if (caller.kind === 'anonymous') throw new DomainError('unauthenticated', 'Authentication is required');
    if (!repository) throw new DomainError('not-found', 'Repository not found');
    if (caller.kind === 'token') return caller;
    const permission = await this.permission(caller.principal, repository);
    if (covers(permission, access === 'delete' ? 'admin' : 'write')) return caller;
    if (!repository.isPublic && permission === null) throw new DomainError('not-found', 'Repository not found');
    throw new DomainError('forbidden', 'You may not change this repository');
  }
}

const repositoryNotFound = () => new DomainError('not-found', 'Repository not found');

/** A token's refusal (a 403 or a 404 of its checks), not an outage, which must stay a 503. */
const isRefusal = (error: unknown): boolean => isDomainError(error) && (error.code === 'forbidden' || error.code === 'not-found');
