import { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { DomainError, IssueTokenReply, TOKENS_COMMANDS, TokenAccess } from '@dockyard/contracts';
import { emitActivity, sendCommand } from '@dockyard/messaging';
import { ClientProxy } from '@nestjs/microservices';
import { Principal } from '../auth/authenticator';
import { GatewayTokens, TokenRequest } from '../auth/gateway-tokens';
import { isHostAndPort } from '../http/host-header';
import { GatewayMetrics } from '../metrics/gateway-metrics';
import { actorOf, requestMetadata, requestOrigin } from '../http/request-metadata';

/**
 * The headers of the index calls a docker client reads: `X-Docker-Endpoints` (host[:port] items,
 * never URLs: the client adds its own scheme) and, when it asked with `X-Docker-Token: true`, a
 * token in `X-Docker-Token` and `WWW-Authenticate: Token ...`.
 */
export class IndexHeaders {
  constructor(
    private readonly tokensClient: ClientProxy,
    private readonly repositoriesClient: ClientProxy,
    private readonly endpoints: string[],
    private readonly metrics = new GatewayMetrics(),
    /** Null: no DOCKYARD_TOKEN_KEY here, every token is issued by the tokens service. */
    private readonly tokens: GatewayTokens | null = null,
  ) {
    const wrong = endpoints.filter((item) => !isHostAndPort(item));
    if (wrong.length > 0) throw new Error(`DOCKYARD_REGISTRY_ENDPOINTS: not host[:port]: ${wrong.join(', ')}`);
  }

  /**
   * Counts a pull (the image list read) or a push (its final image list call). Best effort: a lost
   * count must not fail the client's pull or push, so errors are only logged.
   */
  recordActivity(request: FastifyRequest, repositoryId: string, kind: 'pull' | 'push', images: string[]): void {
    (kind === 'pull' ? this.metrics.pulls : this.metrics.pushes).inc();
    // Keys in sorted order, as canonical JSON has them: the audit hashes each pull's activity as it
    // arrives, and data already in that order is hashed without being re-encoded.
    const activity = { activityId: randomUUID(), actor: actorOf(request), at: new Date().toISOString(), images, kind, repositoryId, ...requestOrigin(request) };
    emitActivity(this.repositoriesClient, activity).catch(
      (error: unknown) => request.log.warn({ err: error }, 'activity not recorded'),
    );
  }

  /**
   * The configured endpoints, else the `Host` the client used, which must then be one valid
   * `host[:port]` (400 otherwise): a forged Host must not send clients' layers elsewhere through a
   * cache, nor smuggle a URL or a second item into the header.
   */
  endpointsFor(request: FastifyRequest): string {
    if (this.endpoints.length > 0) return this.endpoints.join(', ');
    const host = request.headers.host ?? 'localhost';
    if (!isHostAndPort(host)) throw new DomainError('invalid', 'The Host header must be one host[:port]');
    return host;
  }

  async apply(
    request: FastifyRequest,
    reply: FastifyReply,
    grant: { repository: string; repositoryId: string; access: TokenAccess; principal: Principal | null; token?: string },
  ): Promise<void> {
    void reply.header('X-Docker-Endpoints', this.endpointsFor(request)).header('Vary', 'Accept');
    if (String(request.headers['x-docker-token']).toLowerCase() !== 'true') return;
    // A caller who came with a token just had it validated for this repository: it gets that same
    // grant back, bound to its user, rather than an anonymous one that a private repository refuses.
    const token = grant.token ?? (await this.issue(request, grant));
    // A token is a credential: no shared or private cache may keep the answer that carries it.
    void reply.header('X-Docker-Token', token).header('WWW-Authenticate', `Token ${token}`).header('Cache-Control', 'no-store');
  }

  /**
   * Signed here when this gateway has the master key (no round trip; its audit event follows in a
   * batch), else by the tokens service, which appends the audit event before it answers.
   */
  private async issue(
    request: FastifyRequest,
    grant: { repository: string; repositoryId: string; access: TokenAccess; principal: Principal | null },
  ): Promise<string> {
    const wanted: TokenRequest = {
      repository: grant.repository,
      repositoryId: grant.repositoryId,
      access: grant.access,
      user: grant.principal && { username: grant.principal.username, credentialsVersion: grant.principal.credentialsVersion },
    };
    if (this.tokens) {
      const actor = grant.principal ? `user:${grant.principal.username}` : actorOf(request);
      return this.tokens.issue(wanted, { correlationId: request.id, ...requestOrigin(request), actor });
    }
    const { token } = await sendCommand<IssueTokenReply>(
      this.tokensClient,
      TOKENS_COMMANDS.IssueToken,
      wanted,
      requestMetadata(request, grant.principal?.username),
    );
    return token;
  }
}
