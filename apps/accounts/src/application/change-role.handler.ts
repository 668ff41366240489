import { ChangeRoleCommand, ChangeRoleReply, DomainError, MessageMetadata } from '@dockyard/contracts';
import { changeRole, hasRole } from '../domain/user';
import { UserRepository } from '../infrastructure/user.repository';
import { retryOnConflict } from '@dockyard/eventstore';

/**
 * `PUT` / `DELETE /v1/admin/users/(username)/roles/(role)`. The gateway has checked that the caller
 * is an admin; this service checks it again against its own events, so a role is only ever granted
 * by an account this service knows to be admin now.
 */
export class ChangeRoleHandler {
  constructor(private readonly users: UserRepository) {}

  async handle(command: ChangeRoleCommand, metadata: MessageMetadata): Promise<ChangeRoleReply> {
    if (typeof command.username !== 'string' || typeof command.actor?.username !== 'string') {
      throw new DomainError('invalid', 'Invalid role change');
    }
    const actor = await this.users.load(command.actor.username);
    const actorIsAdmin = actor.state.exists && actor.state.active && hasRole(actor.state, 'admin');
    return retryOnConflict(async () => {
      const { state, version } = await this.users.load(command.username);
      const events = changeRole(state, { admin: actorIsAdmin }, command.role, command.granted === true);
      if (events.length === 0) return null;
      return this.users.append(command.username, version, events, metadata);
    });
  }
}
