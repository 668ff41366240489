import { AuthenticateCommand, AuthenticateReply, DomainError } from '@dockyard/contracts';
import { PasswordHasher } from '../infrastructure/password-hasher';
import { UserRepository } from '../infrastructure/user.repository';
import { hasRole } from '../domain/user';

/** Checks a username and password; inactive users authenticate (the gateway answers them 403). */
export class AuthenticateHandler {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async handle(command: AuthenticateCommand): Promise<AuthenticateReply> {
    if (typeof command.username !== 'string' || typeof command.password !== 'string') {
      throw new DomainError('unauthenticated', 'Wrong login/password');
    }
    const { state, version } = await this.users.load(command.username);
    const valid = await this.hasher.verify(state.exists ? state.passwordHash : null, command.password);
    if (!valid) throw new DomainError('unauthenticated', 'Wrong login/password');
    return {
      username: state.username,
      active: state.active,
      admin: hasRole(state, 'admin'),
      auditor: hasRole(state, 'auditor'),
      credentialsVersion: state.credentialsVersion,
      streamVersion: version,
    };
  }
}
