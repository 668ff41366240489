import { Body, Controller, Get, Inject, Param, Put, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, IMAGES_COMMANDS, ImagesReply, PROJECTIONS } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { RepositoryAccess, presentedToken } from '../auth/repository-access';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { imageList } from './image-list';
import { IndexHeaders } from './index-headers';
import { RepositoriesReadModel } from './repositories.read-model';
import { repositoryPath } from './repository-path';
import { arrivalOf } from '../http/request-arrival';

/** `.../images` (the image list: push validation and pull) and `.../auth` (token check). */
@Controller('v1/repositories')
export class RepositoryImagesHttpController {
  constructor(
    @Inject(GATEWAY.clients.images) private readonly imagesClient: ClientProxy,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.repositories) private readonly repositories: RepositoriesReadModel,
    @Inject(GATEWAY.repositoryAccess) private readonly access: RepositoryAccess,
    @Inject(GATEWAY.indexHeaders) private readonly headers: IndexHeaders,
  ) {}

  /** The push's last call; the docker client always sends `[]`, which keeps the list (204). */
  @Put([':first/:second/images', ':first/images'])
  async update(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const repository = await this.repositories.find(path.namespace, path.name);
    const caller = await this.access.requireWrite(request, repository, path.fullName);
    const images = await imageList(body);
    // A bad Host must fail before anything is written, not when the answer's headers are made.
    this.headers.endpointsFor(request);
    // The docker client's `[]` changes nothing (the list is merged, never replaced): no command, no
    // wait. The repository and the caller's write access were checked above, from the read model.
    if (images.length > 0) {
      const written = await sendCommand<ImagesReply>(
        this.imagesClient,
        IMAGES_COMMANDS.UpdateIndex,
        { repositoryId: repository!.repositoryId, images },
        requestMetadata(request, caller.kind === 'user' ? caller.principal.username : undefined),
        repository!.repositoryId,
      );
      await this.readYourWrites.waitFor(PROJECTIONS.images, written);
    }
    await this.headers.apply(request, reply, {
      repository: path.fullName,
      repositoryId: repository!.repositoryId,
      access: 'write',
      principal: caller.kind === 'user' ? caller.principal : null,
      token: caller.kind === 'token' ? presentedToken(request) : undefined,
    });
    this.headers.recordActivity(request, repository!.repositoryId, 'push', images.map((image) => image.id));
    void reply.status(204).send();
  }

  /**
   * The pull's first call, and how an external registry checks a token (protocol.md §3 row 9):
   * 200 for a valid token of this repository, whatever its access.
   */
  @Get([':first/:second/images', ':first/images'])
  async list(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const since = arrivalOf(request);
    const repository = await this.repositories.find(path.namespace, path.name, since);
    const caller = await this.access.requireRead(request, repository, path.fullName);
    const images = await this.repositories.images(repository!.repositoryId, since);
    await this.headers.apply(request, reply, {
      repository: path.fullName,
      repositoryId: repository!.repositoryId,
      access: 'read',
      principal: caller.kind === 'user' ? caller.principal : null,
      token: caller.kind === 'token' ? presentedToken(request) : undefined,
    });
    this.headers.recordActivity(request, repository!.repositoryId, 'pull', images.map((image) => image.id));
    sendJson(reply, 200, images);
  }

  /** Seed 000: is this token good for this repository? 200 "OK", 403, 404 for an unknown repository. */
  @Put([':first/:second/auth', ':first/auth'])
  async auth(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    if (!/^Token\s+\S/i.test(request.headers.authorization ?? '')) {
      throw new DomainError('unauthenticated', 'A repository token is required');
    }
    const repository = await this.repositories.find(path.namespace, path.name);
    const notFound = () => new DomainError('not-found', 'Repository not found');
    if (!repository) throw notFound();
    // A private repository's refusal is its missing name's 404: any token must not tell them apart.
    // Given the row, `caller` refuses another repository's grant (403 on a public one).
    await this.access.caller(request, path.fullName, 'any', repository, notFound);
    void reply.header('Vary', 'Accept');
    sendJson(reply, 200, 'OK');
  }
}
