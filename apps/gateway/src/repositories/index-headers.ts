import { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { IssueTokenReply, TOKENS_COMMANDS, TokenAccess } from '@dockyard/contracts';
import { MessageBus } from '@dockyard/messaging';
import { Principal } from '../auth/authenticator';

/**
 * The headers of the index calls a docker client reads: `X-Docker-Endpoints` (host[:port] items,
 * never URLs: the client adds its own scheme) and, when it asked with `X-Docker-Token: true`, a
 * token in `X-Docker-Token` and `WWW-Authenticate: Token ...`.
 */
export class IndexHeaders {
  constructor(
    private readonly bus: MessageBus,
    private readonly endpoints: string[],
  ) {}

  /**
   * Counts a pull (the image list read) or a push (its final image list call). Best effort: a lost
   * count must not fail the client's pull or push, so errors are only logged.
   */
  recordActivity(request: FastifyRequest, repositoryId: string, kind: 'pull' | 'push'): void {
    this.bus
      .recordActivity({ activityId: randomUUID(), repositoryId, kind, at: new Date().toISOString() })
      .catch((error) => request.log.warn({ err: error }, 'activity not recorded'));
  }

  endpointsFor(request: FastifyRequest): string {
    return this.endpoints.length > 0 ? this.endpoints.join(', ') : (request.headers.host ?? 'localhost');
  }

  async apply(
    request: FastifyRequest,
    reply: FastifyReply,
    grant: { repository: string; repositoryId: string; access: TokenAccess; principal: Principal | null },
  ): Promise<void> {
    void reply.header('X-Docker-Endpoints', this.endpointsFor(request)).header('Vary', 'Accept');
    if (String(request.headers['x-docker-token']).toLowerCase() !== 'true') return;
    const { token } = await this.bus.send<IssueTokenReply>(
      'tokens',
      TOKENS_COMMANDS.IssueToken,
      {
        repository: grant.repository,
        repositoryId: grant.repositoryId,
        access: grant.access,
        user: grant.principal && { username: grant.principal.username, credentialsVersion: grant.principal.credentialsVersion },
      },
      { correlationId: request.id, requestId: request.id, actor: grant.principal ? `user:${grant.principal.username}` : 'anonymous' },
    );
    void reply.header('X-Docker-Token', token).header('WWW-Authenticate', `Token ${token}`);
  }
}
