import { Controller, Delete, Get, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, PROJECTIONS, REPOSITORIES_COMMANDS, StarRepositoryReply } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { Authenticator } from '../auth/authenticator';
import { RepositoryAccess } from '../auth/repository-access';
import { GATEWAY } from '../gateway.tokens';
import { listAnswer, listPage } from '../http/paging';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { RepositoriesReadModel } from '../repositories/repositories.read-model';
import { namespacePath, repositoryPath } from '../repositories/repository-path';
import { repositoryJson } from '../repositories/repository-json';
import { StarsReadModel } from './stars.read-model';

/** Stars: the signed-in user stars and unstars repositories; anyone lists a user's stars. */
@Controller('v1')
export class StarsHttpController {
  constructor(
    @Inject(GATEWAY.clients.repositories) private readonly repositoriesClient: ClientProxy,
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.repositories) private readonly repositories: RepositoriesReadModel,
    @Inject(GATEWAY.repositoryAccess) private readonly access: RepositoryAccess,
    @Inject(GATEWAY.stars) private readonly stars: StarsReadModel,
  ) {}

  @Put('user/starred/:namespace/:name')
  star(@Param('namespace') namespace: string, @Param('name') name: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.setStar(namespace, name, true, request, reply);
  }

  @Delete('user/starred/:namespace/:name')
  unstar(@Param('namespace') namespace: string, @Param('name') name: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.setStar(namespace, name, false, request, reply);
  }

  /** Seed 004's list shape; another user's stars show public repositories only. */
  @Get('users/:username/starred')
  async starred(
    @Param('username') username: string,
    @Query('page') pageParam: unknown,
    @Query('page_size') sizeParam: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    namespacePath(username); // `..` or `A` is no user: 400, not an empty page (found in review)
    const caller = await this.authenticator.authenticateIfAny(request);
    const at = listPage(pageParam, sizeParam);
    const { count, results } = await this.stars.starredBy(username, caller?.username === username, at.offset, at.size);
    sendJson(reply, 200, listAnswer(`/v1/users/${username}/starred`, at, count, results.map((view) => repositoryJson(view))));
  }

  private async setStar(namespaceParam: string, nameParam: string, starred: boolean, request: FastifyRequest, reply: FastifyReply) {
    const principal = await this.authenticator.requireActive(request);
    // A name no repository can have is a 400, as on every other route (found in review: a 404).
    const { namespace, name } = repositoryPath(namespaceParam, nameParam);
    const repository = await this.repositories.find(namespace, name);
    if (!repository || !(await this.access.mayRead(principal, repository))) throw new DomainError('not-found', 'Repository not found');
    const written = await sendCommand<StarRepositoryReply>(
      this.repositoriesClient,
      REPOSITORIES_COMMANDS.StarRepository,
      { actor: { username: principal.username, admin: principal.admin }, namespace, name, starred },
      requestMetadata(request, principal.username),
      `${namespace}/${name}`,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.repositories, written);
    void reply.status(204).send();
  }
}
