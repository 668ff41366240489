import { FastifyRequest } from 'fastify';
import { DomainError } from '@dockyard/contracts';
import { Authenticator, Principal } from '../auth/authenticator';
import { RepositoryAccess, mayWriteIn, ownsNamespace, presentedToken } from '../auth/repository-access';
import { RepositoriesReadModel, RepositoryView } from '../repositories/repositories.read-model';
import { ImagesReadModel, Reader } from './images.read-model';
import { arrivalOf } from '../http/request-arrival';

/** Which copy of an image a request reads or writes, and who is asking (for mounts). */
export interface ImageTarget {
  /** The copy's scope: a namespace, or in an organization its repository (`org/name`, `copyScope`). */
  namespace: string;
  /** The identified user (a token's user, or Basic credentials); null when anonymous. */
  username: string | null;
  reader: () => Promise<Reader>;
}

const ANONYMOUS: Reader = { any: false, own: null };

/** The repository read rule (public, or `mayWriteIn`) as a filter on repositories. */
const readerOf = (principal: Principal | null): Reader =>
  principal
    ? { any: principal.admin, own: ownsNamespace(principal, principal.username) ? principal.username : null }
    : ANONYMOUS;

/**
 * An image is identified by (namespace, id), and a request reaches one namespace's copy:
 * - a token for repository R (namespace N): N's copy (in an organization: R's own), and only if R lists the id;
 * - Basic, to write: the caller's own namespace if one of its repositories lists the id, for admins
 *   also `library`; nobody ever writes another namespace's copy;
 * - Basic or anonymous, to read: a copy listed by a repository of its namespace that the caller may
 *   read (complete first, then the caller's own, `library`, the earliest stored).
 * Unreadable images answer 404, so their existence does not leak.
 */
export class ImageAccess {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly repositoryAccess: RepositoryAccess,
    private readonly repositories: RepositoriesReadModel,
    private readonly images: ImagesReadModel,
  ) {}

  async target(request: FastifyRequest, imageId: string, need: 'read' | 'write'): Promise<ImageTarget> {
    const header = request.headers.authorization ?? '';
    const token = presentedToken(request);
    if (token) {
      const fullName = /repository="([^"/]+)\/([^"]+)"/.exec(token);
      const repository = fullName && (await this.repositories.find(fullName[1], fullName[2], arrivalOf(request)));
      // One answer for a token naming a missing repository and for any refused token of a private
      // one: what the token names must not tell a private repository from a free name.
      if (!repository) throw invalidToken();
      // The row just read is the one the token check compares with: no second lookup on a pull. Given
      // that row, `caller` refuses a grant of any other repository (one deleted and created again too).
      const caller = await this.repositoryAccess.caller(request, `${fullName![1]}/${fullName![2]}`, need === 'write' ? 'write' : 'any', repository, invalidToken);
      if (caller.kind !== 'token') throw invalidToken();
      // The repository's image list, as the pull's first call read it (from the hot view).
      const listed = await this.repositories.images(repository.repositoryId, arrivalOf(request));
      if (!listed.some((image) => image.id === imageId)) {
        if (need === 'write') throw new DomainError('forbidden', 'The image is not in the token’s repository');
        throw new DomainError('not-found', 'Image not found');
      }
      const username = caller.grant.username;
      return {
        // No fallback to the namespace's copy of an organization's images stored before copies were
        // per repository: reading it would keep the leak open. As for the streams from before images
        // had a namespace (image-metadata projection), there is no production data to carry over.
        namespace: await copyScope(this.repositoryAccess, repository),
        username,
        reader: async () =>
          username ? readerOf({ username, active: true, admin: await this.images.isAdmin(username), credentialsVersion: 0 }) : ANONYMOUS,
      };
    }
    const principal = /^Token/i.test(header) ? null : await this.authenticator.authenticate(request);
    if (principal && !principal.active) throw new DomainError('inactive', 'Account is not active');
    const reader = readerOf(principal);
    if (need === 'write') {
      if (!principal) throw new DomainError('unauthenticated', 'Authentication is required');
      for (const namespace of [principal.username, 'library']) {
        if (mayWriteIn(principal, namespace) && (await this.images.listedIn(namespace, imageId))) {
          return { namespace, username: principal.username, reader: async () => reader };
        }
      }
      throw new DomainError('forbidden', 'The image is in no repository of your namespace');
    }
    const namespace = await this.images.readableCopy(imageId, reader);
    if (!namespace) throw new DomainError('not-found', 'Image not found');
    return { namespace, username: principal?.username ?? null, reader: async () => reader };
  }
}

/**
 * In an organization, teams' rights differ per repository, so each repository has its own copies
 * (`org/name`): a team that lists another team's image id in its own repository reaches no copy but
 * its own, and cannot pre-upload bytes into the copy the other team's push would then skip (found
 * in review). A user's repositories share one writer, and so one copy per namespace.
 */
async function copyScope(access: RepositoryAccess, repository: RepositoryView): Promise<string> {
  return (await access.ownedByOrganization(repository)) ? `${repository.namespace}/${repository.name}` : repository.namespace;
}

/** The same words as a token whose MAC does not check (token-keys), so the two cannot be told apart. */
const invalidToken = () => new DomainError('forbidden', 'Invalid token');
