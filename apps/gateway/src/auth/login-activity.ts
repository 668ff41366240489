import { randomUUID } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { ClientProxy } from '@nestjs/microservices';
import { emitActivity } from '@dockyard/messaging';
import { requestOrigin } from '../http/request-metadata';

/**
 * Records logins on the activity topic for the audit trail (`LoginSucceeded` / `LoginFailed`).
 * Fire and forget: the login never waits for it, and a lost record is only logged.
 */
export class LoginActivity {
  constructor(private readonly accountsClient: ClientProxy) {}

  record(request: FastifyRequest, username: string, succeeded: boolean): void {
    emitActivity(this.accountsClient, {
      activityId: randomUUID(),
      repositoryId: null,
      kind: succeeded ? 'login-succeeded' : 'login-failed',
      username,
      at: new Date().toISOString(),
      actor: succeeded ? `user:${username}` : 'anonymous',
      ...requestOrigin(request),
    }).catch((error: unknown) => request.log.warn({ err: error }, 'login not recorded'));
  }
}
