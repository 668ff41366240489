import { createHash, randomBytes } from 'node:crypto';
import { DomainError, MessageMetadata, RegisterUserCommand, RegisterUserReply } from '@dockyard/contracts';
import { WrongExpectedVersionError } from '@dockyard/eventstore';
import { Email, Password, Username, register } from '../domain/user';
import { ConfirmationMailer } from '../infrastructure/confirmation-mailer';
import { PasswordHasher } from '../infrastructure/password-hasher';
import { UserRepository } from '../infrastructure/user.repository';
import { AccountsSettings } from './accounts.settings';

const ALREADY_EXISTS = 'Username or email already exists';

export const hashConfirmationCode = (code: string): string => createHash('sha256').update(code).digest('hex');

export class RegisterUserHandler {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly mailer: ConfirmationMailer,
    private readonly settings: AccountsSettings,
  ) {}

  async handle(command: RegisterUserCommand, metadata: MessageMetadata): Promise<RegisterUserReply> {
    // The docker 1.x login posts the existing user's name with any password and an empty e-mail and
    // expects exactly this answer before anything is validated (protocol.md §1.1).
    // An organization's name is taken as a username is.
    if (typeof command.username === 'string' && ((await this.users.exists(command.username)) || (await this.users.namespaceClaimed(command.username)))) {
      throw new DomainError('already-exists', ALREADY_EXISTS);
    }
    if (typeof command.email === 'string' && command.email && (await this.users.emailClaimed(command.email))) {
      throw new DomainError('already-exists', ALREADY_EXISTS);
    }
    const username = Username.forRegistration(command.username);
    const password = Password.create(command.password);
    const email = Email.create(command.email);

    const code = this.settings.requireConfirmation ? randomBytes(24).toString('base64url') : null;
    const { state } = await this.users.load(username.value);
    const events = register(state, {
      username,
      email,
      passwordHash: await this.hasher.hash(password.value),
      confirmationCodeHash: code === null ? null : hashConfirmationCode(code),
    });
    let written;
    try {
      written = await this.users.append(username.value, 0, events, metadata, [email.value]);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new DomainError('already-exists', ALREADY_EXISTS);
      throw error;
    }
    if (code !== null) {
      const link = `${this.settings.publicUrl}/v1/users/${username.value}/confirm?code=${code}`;
      await this.mailer.sendConfirmation(username.value, email.value, link, metadata);
    }
    return { ...written, active: code === null };
  }
}
