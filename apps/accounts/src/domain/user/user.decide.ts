import { ACCOUNTS_EVENTS, DomainError, USER_ROLES, UserRole } from '@dockyard/contracts';
import { Email } from './email';
import { Username } from './username';
import { UserEvent } from './user.events';
import { UserState, hasRole } from './user.state';

/**
 * The User aggregate's rules: each function takes the current state and a command and returns the
 * events to append, or throws a DomainError. Hashing happens before (it is slow and impure); these
 * functions receive hashes.
 */

export interface RegisterUser {
  username: Username;
  email: Email;
  passwordHash: string;
  /** Null when the hub does not require confirmation: the account is active at once. */
  confirmationCodeHash: string | null;
}

export function register(state: UserState, command: RegisterUser): UserEvent[] {
  if (state.exists) throw new DomainError('already-exists', 'Username or email already exists');
  const username = command.username.value;
  const events: UserEvent[] = [
    {
      type: ACCOUNTS_EVENTS.UserRegistered,
      data: { username, email: command.email.value, active: command.confirmationCodeHash === null },
      secret: { passwordHash: command.passwordHash, confirmationCodeHash: command.confirmationCodeHash },
    },
  ];
  return events;
}

/**
 * The operator's admin account, created at start-up from DOCKYARD_ADMIN_USERNAME and its password
 * (Harbor's initial admin password): active at once and admin. The name may be a reserved word
 * (`admin` is the default) because no sign-up can take it.
 */
export function bootstrapAdmin(state: UserState, command: Omit<RegisterUser, 'confirmationCodeHash'>): UserEvent[] {
  if (state.exists) throw new DomainError('already-exists', 'Username or email already exists');
  const username = command.username.value;
  return [
    {
      type: ACCOUNTS_EVENTS.UserRegistered,
      data: { username, email: command.email.value, active: true, bootstrap: true },
      secret: { passwordHash: command.passwordHash, confirmationCodeHash: null },
    },
    { type: ACCOUNTS_EVENTS.RoleGranted, data: { username, role: 'admin' } },
  ];
}

export function confirmEmail(state: UserState, presentedCodeHash: string): UserEvent[] {
  mustExist(state);
  if (state.confirmationCodeHash === null) {
    throw new DomainError('invalid', 'There is nothing to confirm for this user');
  }
  if (!equalInConstantTime(state.confirmationCodeHash, presentedCodeHash)) {
    throw new DomainError('invalid', 'The confirmation code is not valid');
  }
  const email = state.emails[0].address;
  return [{ type: ACCOUNTS_EVENTS.EmailConfirmed, data: { username: state.username, email } }];
}

export function addEmail(state: UserState, email: Email): UserEvent[] {
  mustBeActive(state);
  if (state.emails.some((e) => e.address === email.value)) return [];
  return [{ type: ACCOUNTS_EVENTS.EmailAdded, data: { username: state.username, email: email.value } }];
}

export function changePassword(state: UserState, passwordHash: string): UserEvent[] {
  mustBeActive(state);
  return [
    {
      type: ACCOUNTS_EVENTS.PasswordChanged,
      data: { username: state.username, credentialsVersion: state.credentialsVersion + 1 },
      secret: { passwordHash },
    },
  ];
}

/** Only an admin grants or revokes a role; doing it twice changes nothing. */
export function changeRole(state: UserState, actor: { admin: boolean }, role: unknown, granted: boolean): UserEvent[] {
  if (!actor.admin) throw new DomainError('forbidden', 'Only admins may change roles');
  if (!USER_ROLES.includes(role as UserRole)) throw new DomainError('invalid', `Role must be one of ${USER_ROLES.join(', ')}`);
  mustExist(state);
  const data = { username: state.username, role: role as UserRole };
  if (granted) return hasRole(state, data.role) ? [] : [{ type: ACCOUNTS_EVENTS.RoleGranted, data }];
  return hasRole(state, data.role) ? [{ type: ACCOUNTS_EVENTS.RoleRevoked, data }] : [];
}

export function deactivate(state: UserState): UserEvent[] {
  mustExist(state);
  return state.deactivated ? [] : [{ type: ACCOUNTS_EVENTS.UserDeactivated, data: { username: state.username } }];
}

function mustExist(state: UserState): void {
  if (!state.exists) throw new DomainError('not-found', 'User not found');
}

function mustBeActive(state: UserState): void {
  mustExist(state);
  if (!state.active) throw new DomainError('inactive', 'Account is not active');
}

// Written here rather than imported from node:crypto so the domain stays free of platform modules.
function equalInConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
