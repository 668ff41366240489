import { ConfirmEmailCommand, ConfirmEmailReply, DomainError, MessageMetadata } from '@dockyard/contracts';
import { confirmEmail } from '../domain/user';
import { UserRepository } from '../infrastructure/user.repository';
import { hashConfirmationCode } from './register-user.handler';
import { retryOnConflict } from '@dockyard/eventstore';

export class ConfirmEmailHandler {
  constructor(private readonly users: UserRepository) {}

  async handle(command: ConfirmEmailCommand, metadata: MessageMetadata): Promise<ConfirmEmailReply> {
    if (typeof command.username !== 'string' || typeof command.code !== 'string' || !command.code) {
      throw new DomainError('invalid', 'A username and a confirmation code are required');
    }
    return retryOnConflict(async () => {
      const { state, version } = await this.users.load(command.username);
      const events = confirmEmail(state, hashConfirmationCode(command.code));
      return this.users.append(command.username, version, events, metadata);
    });
  }
}
