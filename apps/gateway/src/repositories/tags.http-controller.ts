import { Body, Controller, Delete, Get, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, IMAGES_COMMANDS, ImagesReply, PROJECTIONS, isImageId } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { RepositoryAccess } from '../auth/repository-access';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { RepositoriesReadModel } from './repositories.read-model';
import { repositoryPath } from './repository-path';
import { TagNamePipe } from './tag-name.pipe';
import { arrivalOf } from '../http/request-arrival';

/**
 * Tags. `GET .../tags` answers the map `{"tag": "image id"}` the docker client decodes; seed 004's
 * list `[{"image_id", "tag"}]` with `?format=list` (protocol.md §0).
 */
@Controller('v1/repositories')
export class TagsHttpController {
  constructor(
    @Inject(GATEWAY.clients.images) private readonly imagesClient: ClientProxy,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.repositories) private readonly repositories: RepositoriesReadModel,
    @Inject(GATEWAY.repositoryAccess) private readonly access: RepositoryAccess,
  ) {}

  @Get([':first/:second/tags', ':first/tags'])
  async list(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Query('format') format: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const since = arrivalOf(request);
    const repository = await this.repositories.find(path.namespace, path.name, since);
    await this.access.requireRead(request, repository, path.fullName);
    const tags = await this.repositories.tags(repository!.repositoryId, since);
    if (format === 'list') return sendJson(reply, 200, tags.map((t) => ({ image_id: t.imageId, tag: t.tag })));
    sendJson(reply, 200, Object.fromEntries(tags.map((t) => [t.tag, t.imageId])));
  }

  @Get([':first/:second/tags/:tag', ':first/tags/:tag'])
  async one(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Param('tag', TagNamePipe) tag: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const since = arrivalOf(request);
    const repository = await this.repositories.find(path.namespace, path.name, since);
    await this.access.requireRead(request, repository, path.fullName);
    const found = (await this.repositories.tags(repository!.repositoryId, since)).find((t) => t.tag === tag);
    if (!found) throw new DomainError('not-found', 'Tag not found');
    sendJson(reply, 200, found.imageId);
  }

  /** The registry's tag call of a push: the body is the image id as a JSON string. */
  @Put([':first/:second/tags/:tag', ':first/tags/:tag'])
  async set(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Param('tag', TagNamePipe) tag: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const repository = await this.repositories.find(path.namespace, path.name);
    const caller = await this.access.requireWrite(request, repository, path.fullName);
    if (!isImageId(body)) throw new DomainError('invalid', 'The body must be the image id (64 lower-case hex characters) as a JSON string');
    const written = await sendCommand<ImagesReply>(
      this.imagesClient,
      IMAGES_COMMANDS.SetTag,
      { repositoryId: repository!.repositoryId, tag, imageId: body },
      requestMetadata(request, caller.kind === 'user' ? caller.principal.username : undefined),
      repository!.repositoryId,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.images, written);
    sendJson(reply, 200, true);
  }

  @Delete([':first/:second/tags/:tag', ':first/tags/:tag'])
  async remove(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Param('tag', TagNamePipe) tag: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const repository = await this.repositories.find(path.namespace, path.name);
    const caller = await this.access.requireWrite(request, repository, path.fullName, 'write');
    const written = await sendCommand<ImagesReply>(
      this.imagesClient,
      IMAGES_COMMANDS.DeleteTag,
      { repositoryId: repository!.repositoryId, tag },
      requestMetadata(request, caller.kind === 'user' ? caller.principal.username : undefined),
      repository!.repositoryId,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.images, written);
    sendJson(reply, 200, true);
  }
}
