import { Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import {
  DomainError,
  SERVICES,
  ServiceName,
  VERIFY_STREAMS_COMMANDS,
  VERIFY_STREAMS_MAX,
  VerifiedStream,
  VerifyStreamsReply,
} from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { GATEWAY } from '../gateway.tokens';
import { readMetadata } from '../http/request-metadata';
import { sendJson } from '../http/send-json';
import { AuditAccess } from './audit-access';
import { feedHeadOf, signCheckpoint } from './audit-checkpoint';
import { exportFormatOf, exportStream } from './audit-export';
import { AuditQuery, parseAuditQuery, parseInstant } from './audit-query';
import { AuditSigningKey } from './audit-signing-key';
import { compareWithStores } from './audit-verification';
import { AuditReadModel, AuditScope } from './audit.read-model';
import { foldRepositoryState } from './repository-state';

type QueryParams = Record<string, unknown>;

/**
 * The auditor's view (`/v1/audit/`, docs/api.md "Audit"): histories read from the audit read model
 * the projector builds from every service's events and the activity topic, the state of a
 * repository at any instant folded from them, the hash chains verified by their owning services,
 * and signed checkpoints of the whole feed.
 */
@Controller('v1/audit')
export class AuditHttpController {
  private readonly clients: Record<ServiceName, ClientProxy>;

  constructor(
    @Inject(GATEWAY.audit) private readonly audit: AuditReadModel,
    @Inject(GATEWAY.auditAccess) private readonly access: AuditAccess,
    @Inject(GATEWAY.auditSigningKey) private readonly signingKey: AuditSigningKey,
    @Inject(GATEWAY.clients.accounts) accounts: ClientProxy,
    @Inject(GATEWAY.clients.repositories) repositories: ClientProxy,
    @Inject(GATEWAY.clients.images) images: ClientProxy,
    @Inject(GATEWAY.clients.tokens) tokens: ClientProxy,
  ) {
    this.clients = { accounts, repositories, images, tokens };
  }

  @Get('repositories/:namespace/:repo/history')
  async history(@Param('namespace') namespace: string, @Param('repo') repo: string, @Query() params: QueryParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const query = parseAuditQuery(params);
    await this.access.requireRepository(request, namespace, repo);
    const repository = `${namespace}/${repo}`;
    sendJson(reply, 200, { repository, ...(await this.audit.page({ repository }, query)) });
  }

  @Get('repositories/:namespace/:repo/state')
  async state(@Param('namespace') namespace: string, @Param('repo') repo: string, @Query('at') at: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (at !== undefined && typeof at !== 'string') throw new DomainError('invalid', 'at must be given once');
    const instant = at === undefined ? new Date().toISOString() : parseInstant(at, 'at');
    await this.access.requireRepository(request, namespace, repo);
    const repository = `${namespace}/${repo}`;
    const state = foldRepositoryState(await this.audit.stateEntries(repository, instant));
    sendJson(reply, 200, { repository, at: instant, ...state });
  }

  @Get('repositories/:namespace/:repo/verify')
  async verify(@Param('namespace') namespace: string, @Param('repo') repo: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.access.requireRepository(request, namespace, repo);
    const repository = `${namespace}/${repo}`;
    const audited = await this.audit.streams(repository);
    const verified = new Map<string, VerifiedStream>();
    for (const service of SERVICES) {
      const streamIds = audited.filter((stream) => stream.service === service).map((stream) => stream.stream);
      for (let i = 0; i < streamIds.length; i += VERIFY_STREAMS_MAX) {
        const chunk = streamIds.slice(i, i + VERIFY_STREAMS_MAX);
        const reply = await sendCommand<VerifyStreamsReply>(this.clients[service], VERIFY_STREAMS_COMMANDS[service], { streamIds: chunk }, readMetadata(request));
        for (const stream of reply) verified.set(stream.streamId, stream);
      }
    }
    sendJson(reply, 200, { repository, ...compareWithStores(audited, verified, await this.audit.lives(repository)) });
  }

  @Get('users/:username/history')
  async userHistory(@Param('username') username: string, @Query() params: QueryParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const query = parseAuditQuery(params);
    await this.access.requireUser(request, username);
    sendJson(reply, 200, { username, ...(await this.audit.page({ username }, query)) });
  }

  /** The whole feed: a JSON page, or with `Accept: application/x-ndjson` / `text/csv` every matching entry, streamed. */
  @Get('events')
  async events(@Query() params: QueryParams, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const query = parseAuditQuery(params);
    const repository = params.repository;
    if (repository !== undefined && (typeof repository !== 'string' || !/^[^/]+\/[^/]+$/.test(repository))) {
      throw new DomainError('invalid', 'repository must be namespace/name');
    }
    await this.access.requireEverything(request);
    const scope: AuditScope = typeof repository === 'string' ? { repository } : { feed: true };
    const format = exportFormatOf(request.headers.accept);
    if (!format) return sendJson(reply, 200, await this.audit.page(scope, query));
    const exported: AuditQuery = { ...query };
    void reply
      .status(200)
      .header('Cache-Control', 'no-store')
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    return reply.send(exportStream(this.audit.all(scope, exported), format));
  }

  @Get('checkpoint')
  async checkpoint(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.access.requireEverything(request);
    const { position, head } = await this.audit.head();
    sendJson(reply, 200, signCheckpoint(await this.signingKey.get(), position, head, new Date().toISOString()));
  }

  /** Whether the feed, recomputed from its entries as they are now, still hashes to `head` at `position`. */
  @Get('checkpoint/verify')
  async verifyCheckpoint(@Query('position') position: unknown, @Query('head') head: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (typeof position !== 'string' || !/^\d{1,18}$/.test(position)) throw new DomainError('invalid', 'position must be a feed position');
    if (typeof head !== 'string' || !/^[0-9a-f]{64}$/.test(head)) throw new DomainError('invalid', 'head must be a sha256 hex digest');
    await this.access.requireEverything(request);
    const upTo = { after: null, limit: 1000, types: null, actor: null, from: null, until: null };
    const recomputed = await feedHeadOf(this.upTo(this.audit.all({ feed: true }, upTo), BigInt(position)));
    sendJson(reply, 200, { consistent: recomputed.position === position && recomputed.head === head });
  }

  private async *upTo<T extends { cursor: string }>(entries: AsyncIterable<T>, position: bigint): AsyncGenerator<T> {
    for await (const entry of entries) {
      if (BigInt(entry.cursor) > position) return;
      yield entry;
    }
  }
}
