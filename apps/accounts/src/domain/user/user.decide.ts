import { ACCOUNTS_EVENTS, DomainError } from '@dockyard/contracts';
import { Email } from './email';
import { Username } from './username';
import { UserEvent } from './user.events';
import { UserState } from './user.state';

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
  admin: boolean;
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
  if (command.admin) events.push({ type: ACCOUNTS_EVENTS.AdminGranted, data: { username } });
  return events;
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

export function grantAdmin(state: UserState): UserEvent[] {
  mustExist(state);
  return state.admin ? [] : [{ type: ACCOUNTS_EVENTS.AdminGranted, data: { username: state.username } }];
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
