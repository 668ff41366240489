import { DomainError, MessageMetadata, UpdateUserCommand, UpdateUserReply } from '@dockyard/contracts';
import { Email, Password, UserEvent, addEmail, changePassword, evolve } from '../domain/user';
import { PasswordHasher } from '../infrastructure/password-hasher';
import { UserRepository } from '../infrastructure/user.repository';
import { retryOnConflict } from '@dockyard/eventstore';

/** `PUT /v1/users/(username)/`: adds an e-mail and/or changes the password, for oneself or as admin. */
export class UpdateUserHandler {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async handle(command: UpdateUserCommand, metadata: MessageMetadata): Promise<UpdateUserReply> {
    if (command.actor.username !== command.username && !command.actor.admin) {
      throw new DomainError('forbidden', 'You may only change your own account');
    }
    if (command.email === undefined && command.password === undefined) {
      throw new DomainError('invalid', 'Nothing to update: send email and/or password');
    }
    const email = command.email === undefined ? undefined : Email.create(command.email);
    const password = command.password === undefined ? undefined : Password.create(command.password);
    const passwordHash = password && (await this.hasher.hash(password.value));

    return retryOnConflict(async () => {
      const { state, version } = await this.users.load(command.username);
      if (!state.exists) throw new DomainError('not-found', 'User not found');
      let next = state;
      const events: UserEvent[] = [];
      const decide = (produced: UserEvent[]) => {
        events.push(...produced);
        next = produced.reduce(evolve, next);
      };
      if (email) decide(addEmail(next, email));
      if (passwordHash) decide(changePassword(next, passwordHash));
      if (events.length === 0) return null;
      const claimed = events.filter((e) => e.type === 'EmailAdded').map((e) => (e.data as { email: string }).email);
      try {
        return await this.users.append(command.username, version, events, metadata, claimed);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'already-exists') {
          throw new DomainError('invalid', 'Email is already in use');
        }
        throw error;
      }
    });
  }
}
