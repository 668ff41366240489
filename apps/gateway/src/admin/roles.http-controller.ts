import { Controller, Delete, Inject, Param, Put, Req, Res } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { FastifyReply, FastifyRequest } from 'fastify';
import { ACCOUNTS_COMMANDS, ChangeRoleReply, DomainError, PROJECTIONS } from '@dockyard/contracts';
import { sendCommand } from '@dockyard/messaging';
import { Authenticator } from '../auth/authenticator';
import { GATEWAY } from '../gateway.tokens';
import { ReadYourWrites } from '../http/read-your-writes';
import { requestMetadata } from '../http/request-metadata';

/**
 * Roles are granted by admins, never by a name in the configuration: `PUT` grants, `DELETE`
 * revokes, both idempotent. Each change is a RoleGranted / RoleRevoked event whose actor is the admin.
 */
@Controller('v1/admin/users/:username/roles/:role')
export class RolesHttpController {
  constructor(
    @Inject(GATEWAY.clients.accounts) private readonly accountsClient: ClientProxy,
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.readYourWrites) private readonly readYourWrites: ReadYourWrites,
  ) {}

  @Put()
  async grant(@Param('username') username: string, @Param('role') role: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.change(request, username, role, true);
    void reply.status(204).send();
  }

  @Delete()
  async revoke(@Param('username') username: string, @Param('role') role: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    await this.change(request, username, role, false);
    void reply.status(204).send();
  }

  private async change(request: FastifyRequest, username: string, role: string, granted: boolean): Promise<void> {
    const admin = await this.authenticator.requireActive(request);
    if (!admin.admin) throw new DomainError('forbidden', 'Only admins may change roles');
    const written = await sendCommand<ChangeRoleReply>(
      this.accountsClient,
      ACCOUNTS_COMMANDS.ChangeRole,
      { actor: { username: admin.username, admin: admin.admin }, username, role, granted },
      requestMetadata(request, admin.username),
      username,
    );
    await this.readYourWrites.waitFor(PROJECTIONS.users, written);
  }
}
