import { Body, Controller, Delete, Get, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import {
  CreateRepositoryReply,
  DeleteRepositoryReply,
  DomainError,
  IMAGES_COMMANDS,
  ImagesReply,
  PROJECTIONS,
  REPOSITORIES_COMMANDS,
  RepositoryMetadata,
  UpdateRepositoryReply,
} from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { Authenticator, Principal } from '../auth/authenticator';
import { RepositoryAccess } from '../auth/repository-access';
import { covers } from '../organizations/organizations.read-model';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';
import { listAnswer, listPage } from '../http/paging';
import { sendJson } from '../http/send-json';
import { validJsonObject } from '../http/json-body.pipe';
import { imageList } from './image-list';
import { IndexHeaders } from './index-headers';
import { StarsReadModel } from '../stars/stars.read-model';
import { RepositoriesReadModel } from './repositories.read-model';
import { CreateRepositoryBody, RepositoryMetadataBody } from './repository.dto';
import { repositoryJson } from './repository-json';
import { namespacePath, repositoryPath } from './repository-path';

/** Seed 004's metadata fields (snake_case on the wire). */
function metadataChanges(body: Record<string, unknown>, allowed: string[]): Partial<Record<keyof RepositoryMetadata, unknown>> {
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new DomainError('invalid', `Unknown fields: ${unknown.join(', ')}`);
  const changes: Partial<Record<keyof RepositoryMetadata, unknown>> = {};
  if ('description' in body) changes.description = body.description;
  if ('full_description' in body) changes.fullDescription = body.full_description;
  if ('is_public' in body) changes.isPublic = body.is_public;
  if ('logo' in body) changes.logo = body.logo;
  return changes;
}

const METADATA_FIELDS = ['description', 'full_description', 'is_public', 'logo'];

/**
 * The index's repository routes (seeds 000, 001, 004): create, update, delete, detail, lists,
 * image lists and token checks; user (`ns/name`) and library (`name`) forms alike.
 */
@Controller('v1/repositories')
export class RepositoryIndexHttpController {
  constructor(
    @Inject(GATEWAY.clients.images) private readonly imagesClient: ClientProxy,
    @Inject(GATEWAY.clients.repositories) private readonly repositoriesClient: ClientProxy,
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
    @Inject(GATEWAY.repositories) private readonly repositories: RepositoriesReadModel,
    @Inject(GATEWAY.repositoryAccess) private readonly access: RepositoryAccess,
    @Inject(GATEWAY.indexHeaders) private readonly headers: IndexHeaders,
    @Inject(GATEWAY.stars) private readonly stars: StarsReadModel,
  ) {}

  /** An array body is the docker push's create (re-sent on every push); an object updates metadata. */
  @Put([':first/:second', ':first'])
  async put(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const principal = await this.authenticator.requireActive(request);
    const actor = await this.access.actorFor(principal, path);
    if (!Array.isArray(body)) {
      if (typeof body !== 'object' || body === null) throw new DomainError('invalid', 'The body must be a JSON array or object');
      await validJsonObject(RepositoryMetadataBody, body);
      await this.assertVisible(path.namespace, path.name, principal);
      const written = await sendCommand<UpdateRepositoryReply>(
        this.repositoriesClient,
        REPOSITORIES_COMMANDS.UpdateRepository,
        { actor, namespace: path.namespace, name: path.name, changes: metadataChanges(body as Record<string, unknown>, METADATA_FIELDS) },
        requestMetadata(request, principal.username),
      );
      await this.readYourWrites.waitFor(PROJECTIONS.repositories, written);
      return this.sendDetail(reply, path.namespace, path.name, 200);
    }
    await this.mustMayPushTo(principal, path.namespace, path.name);
    const images = await imageList(body);
    // A bad Host must fail before anything is written, not when the answer's headers are made.
    this.headers.endpointsFor(request);
    const created = await sendCommand<CreateRepositoryReply>(
      this.repositoriesClient,
      REPOSITORIES_COMMANDS.CreateRepository,
      { actor, namespace: path.namespace, name: path.name, existing: 'reuse' },
      requestMetadata(request, principal.username),
      path.fullName,
    );
    // The image list needs the repository in the images service, not in the read models: the
    // repository's read-your-writes wait overlaps with the index command instead of adding up, and
    // one barrier ends both waits.
    const indexed = sendCommand<ImagesReply>(
      this.imagesClient,
      IMAGES_COMMANDS.UpdateIndex,
      { repositoryId: created.repositoryId, images },
      requestMetadata(request, principal.username),
      created.repositoryId,
    );
    await this.readYourWrites.waitForAll([
      { projection: PROJECTIONS.repositories, written: created.written },
      { projection: PROJECTIONS.images, written: indexed },
    ]);
    await this.headers.apply(request, reply, {
      repository: path.fullName,
      repositoryId: created.repositoryId,
      access: 'write',
      principal,
    });
    sendJson(reply, 200, '');
  }

  /**
   * One path, two roles (protocol.md §0). Basic with `X-Docker-Token: true` is the index's half of
   * the Hub delete: 202 and a delete token, nothing deleted yet. A delete token is the registry's
   * half: the repository goes (200). Basic without a token request deletes at once (200, seed 000).
   */
  @Delete([':first/:second', ':first'])
  async remove(
    @Param('first') first: string,
    @Param('second') second: string | undefined,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const repository = await this.repositories.find(path.namespace, path.name);
    const caller = await this.access.requireWrite(request, repository, path.fullName, 'delete');
    if (caller.kind === 'user' && String(request.headers['x-docker-token']).toLowerCase() === 'true') {
      await this.headers.apply(request, reply, {
        repository: path.fullName,
        repositoryId: repository!.repositoryId,
        access: 'delete',
        principal: caller.principal,
      });
      return sendJson(reply, 202, '');
    }
    // A delete token proves the index granted deletion to its holder.
    const actor =
      caller.kind === 'user'
        ? await this.access.actorFor(caller.principal, path)
        : { username: caller.kind === 'token' ? (caller.grant.username ?? '') : '', admin: true };
    const deleted = await sendCommand<DeleteRepositoryReply>(
      this.repositoriesClient,
      REPOSITORIES_COMMANDS.DeleteRepository,
      { actor, namespace: path.namespace, name: path.name },
      requestMetadata(request, actor.username || undefined),
      path.fullName,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.repositories, deleted);
    void reply.header('Vary', 'Accept');
    sendJson(reply, 200, caller.kind === 'token' ? true : '');
  }

  /** Seed 004: create with a JSON body in a namespace. */
  @Post(':first')
  async create(@Param('first') first: string, @Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const namespace = namespacePath(first);
    const principal = await this.authenticator.requireActive(request);
    await this.mustMayCreateIn(principal, namespace);
    // Checked after the namespace check: an outsider learns nothing from the body's answer.
    const fields = (await validJsonObject(CreateRepositoryBody, body)) as Record<string, unknown>;
    const name = fields.repo_name ?? fields.name;
    if (fields.namespace !== undefined && fields.namespace !== namespace) {
      throw new DomainError('invalid', 'The namespace in the body differs from the path');
    }
    const created = await sendCommand<CreateRepositoryReply>(
      this.repositoriesClient,
      REPOSITORIES_COMMANDS.CreateRepository,
      {
        actor: await this.access.actorFor(principal, { namespace, name: String(name) }),
        namespace,
        name,
        metadata: metadataChanges(
          Object.fromEntries(Object.entries(fields).filter(([k]) => !['repo_name', 'name', 'namespace'].includes(k))),
          METADATA_FIELDS,
        ),
        existing: 'refuse',
      },
      requestMetadata(request, principal.username),
      `${namespace}/${String(name)}`,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.repositories, created.written);
    return this.sendDetail(reply, namespace, String(name), 201);
  }

  /** Seed 004: a namespace's repositories, paged; private ones only for those who may read them. */
  @Get(':first')
  async list(
    @Param('first') first: string,
    @Query('page') pageParam: unknown,
    @Query('page_size') sizeParam: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const namespace = namespacePath(first);
    const principal = await this.authenticator.authenticateIfAny(request);
    const at = listPage(pageParam, sizeParam);
    const { count, results } = await this.repositories.list(namespace, principal, at.offset, at.size);
    sendJson(reply, 200, listAnswer(`/v1/repositories/${namespace}/`, at, count, results.map((view) => repositoryJson(view))));
  }

  /** Seed 004: one repository with its counters; `is_repo_starred` says whether the Basic caller starred it. */
  @Get(':first/:second')
  async detail(
    @Param('first') first: string,
    @Param('second') second: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const path = repositoryPath(first, second);
    const repository = await this.repositories.find(path.namespace, path.name);
    const caller = await this.access.requireRead(request, repository, path.fullName);
    const starred = caller.kind === 'user' && (await this.stars.isStarred(caller.principal.username, repository!.repositoryId));
    sendJson(reply, 200, repositoryJson(repository!, starred));
  }

  /**
   * Decided here, before the repositories service is asked: it checks existence first (409, or a
   * push's 403 for an existing repository), so an outsider could tell a private repository from a
   * free name. Outsiders get one answer whether or not the name exists.
   */
  private async mustMayCreateIn(principal: Principal, namespace: string): Promise<void> {
    if (await this.access.mayCreateIn(principal, namespace)) return;
    if (principal.admin) throw new DomainError('not-found', 'No user or organization has this namespace: create one first');
    throw new DomainError(
      'forbidden',
      namespace === 'library' ? 'Only admins may create library repositories' : 'You may not create repositories in this namespace',
    );
  }

  /** The docker push's create: who may create in the namespace, or a team with `write` on the existing repository. */
  private async mustMayPushTo(principal: Principal, namespace: string, name: string): Promise<void> {
    if (await this.access.mayCreateIn(principal, namespace)) return;
    const existing = await this.repositories.find(namespace, name);
    if (existing && covers(await this.access.permission(principal, existing), 'write')) return;
    await this.mustMayCreateIn(principal, namespace);
  }

  private async assertVisible(namespace: string, name: string, principal: Principal) {
    const repository = await this.repositories.find(namespace, name);
    if (!repository || !(await this.access.mayRead(principal, repository))) throw new DomainError('not-found', 'Repository not found');
  }

  private async sendDetail(reply: FastifyReply, namespace: string, name: string, status: number) {
    const repository = await this.repositories.find(namespace, name);
    if (!repository) throw new DomainError('not-found', 'Repository not found');
    sendJson(reply, status, repositoryJson(repository));
  }
}
