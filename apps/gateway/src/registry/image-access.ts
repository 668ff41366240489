import { FastifyRequest } from 'fastify';
import { DomainError } from '@dockyard/contracts';
import { Authenticator } from '../auth/authenticator';
import { RepositoryAccess } from '../auth/repository-access';
import { RepositoriesReadModel } from '../repositories/repositories.read-model';
import { ImagesReadModel } from './images.read-model';

/**
 * Image ids are global, but an image is only reachable through a repository that holds it: a token
 * opens the images of its own repository only; Basic credentials open images of repositories the
 * user may read (or, to upload, write); anonymous callers reach images of public repositories.
 * Unreachable images answer 404, so their existence does not leak.
 */
export class ImageAccess {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly repositoryAccess: RepositoryAccess,
    private readonly repositories: RepositoriesReadModel,
    private readonly images: ImagesReadModel,
  ) {}

  async require(request: FastifyRequest, imageId: string, need: 'read' | 'write'): Promise<void> {
    const header = request.headers.authorization ?? '';
    const token = /^Token\s+(.*)$/i.exec(header)?.[1]?.trim();
    if (token) {
      const fullName = /repository="([^"/]+)\/([^"]+)"/.exec(token);
      const repository = fullName && (await this.repositories.find(fullName[1], fullName[2]));
      if (!repository) throw new DomainError('forbidden', 'Token is not valid');
      const caller = await this.repositoryAccess.caller(request, `${fullName![1]}/${fullName![2]}`, need === 'write' ? 'write' : 'any');
      if (caller.kind !== 'token' || caller.grant.repositoryId !== repository.repositoryId) {
        throw new DomainError('forbidden', 'Token is not valid');
      }
      if (await this.images.inRepository(imageId, repository.repositoryId)) return;
      if (need === 'write') throw new DomainError('forbidden', 'The image is not in the token’s repository');
      throw new DomainError('not-found', 'Image not found');
    }
    const principal = /^Token/i.test(header) ? null : await this.authenticator.authenticate(request);
    if (principal && !principal.active) throw new DomainError('inactive', 'Account is not active');
    if (need === 'write') {
      if (!principal) throw new DomainError('unauthenticated', 'Authentication is required');
      const writable = await this.images.heldBy(imageId, { publicOk: false, namespace: principal.username, any: principal.admin });
      if (writable) return;
      throw new DomainError('forbidden', 'The image is in no repository you may push to');
    }
    const readable = await this.images.heldBy(imageId, {
      publicOk: true,
      namespace: principal?.username,
      any: principal?.admin ?? false,
    });
    if (!readable) throw new DomainError('not-found', 'Image not found');
  }
}
