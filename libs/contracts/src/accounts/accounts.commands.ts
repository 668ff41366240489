import { WrittenStream } from '../event-envelope';
import { UserRole } from './accounts.events';

/** Request-reply commands the accounts service answers on `dockyard.accounts.commands`. */
export const ACCOUNTS_COMMANDS = {
  RegisterUser: 'accounts.register-user',
  Authenticate: 'accounts.authenticate',
  UpdateUser: 'accounts.update-user',
  ConfirmEmail: 'accounts.confirm-email',
  ChangeRole: 'accounts.change-role',
} as const;

export interface RegisterUserCommand {
  username: unknown;
  password: unknown;
  email: unknown;
}
export type RegisterUserReply = WrittenStream & { active: boolean };

export interface AuthenticateCommand {
  username: string;
  password: string;
}
/** Answered for right credentials only; wrong ones are the `unauthenticated` error. */
export interface AuthenticateReply {
  username: string;
  active: boolean;
  admin: boolean;
  auditor: boolean;
  credentialsVersion: number;
  /**
   * The version of the user's stream this answer was read at. The gateway trusts its users read
   * model for these credentials only once that model has applied this version. Absent from an
   * accounts replica older than the field (rolling deploys): taken as 0.
   */
  streamVersion?: number;
}

export interface UpdateUserCommand {
  /** The authenticated caller. */
  actor: { username: string; admin: boolean };
  username: string;
  email?: unknown;
  password?: unknown;
}
export type UpdateUserReply = WrittenStream | null;

export interface ConfirmEmailCommand {
  username: string;
  code: string;
}
export type ConfirmEmailReply = WrittenStream;

/** `PUT` / `DELETE /v1/admin/users/(username)/roles/(role)`: the gateway has checked the caller is an admin. */
export interface ChangeRoleCommand {
  actor: { username: string; admin: boolean };
  username: string;
  role: UserRole;
  granted: boolean;
}
export type ChangeRoleReply = WrittenStream | null;
