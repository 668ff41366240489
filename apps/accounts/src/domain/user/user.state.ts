import { ACCOUNTS_EVENTS, UserRole } from '@dockyard/contracts';
import { UserEvent } from './user.events';

export interface UserEmail {
  address: string;
  confirmed: boolean;
}

export interface UserState {
  exists: boolean;
  username: string;
  emails: UserEmail[];
  /** False until the first e-mail is confirmed (when confirmation is required) or after deactivation. */
  active: boolean;
  deactivated: boolean;
  /** Created by the operator's bootstrap (DOCKYARD_ADMIN_USERNAME), not by a sign-up. */
  bootstrap: boolean;
  roles: ReadonlySet<UserRole>;
  passwordHash: string;
  credentialsVersion: number;
  confirmationCodeHash: string | null;
}

export const initialUserState = (): UserState => ({
  exists: false,
  username: '',
  emails: [],
  active: false,
  deactivated: false,
  bootstrap: false,
  roles: new Set(),
  passwordHash: '',
  credentialsVersion: 0,
  confirmationCodeHash: null,
});

export function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case ACCOUNTS_EVENTS.UserRegistered:
      return {
        ...state,
        exists: true,
        username: event.data.username,
        emails: [{ address: event.data.email, confirmed: event.data.active }],
        active: event.data.active,
        bootstrap: event.data.bootstrap === true,
        passwordHash: event.secret.passwordHash,
        credentialsVersion: 1,
        confirmationCodeHash: event.secret.confirmationCodeHash,
      };
    case ACCOUNTS_EVENTS.EmailConfirmed:
      return {
        ...state,
        emails: state.emails.map((e) => (e.address === event.data.email ? { ...e, confirmed: true } : e)),
        active: !state.deactivated,
        confirmationCodeHash: null,
      };
    case ACCOUNTS_EVENTS.EmailAdded:
      return { ...state, emails: [...state.emails, { address: event.data.email, confirmed: false }] };
    case ACCOUNTS_EVENTS.PasswordChanged:
      return { ...state, passwordHash: event.secret.passwordHash, credentialsVersion: event.data.credentialsVersion };
    case ACCOUNTS_EVENTS.AdminGranted:
      return { ...state, roles: new Set([...state.roles, 'admin']) };
    case ACCOUNTS_EVENTS.RoleGranted:
      return { ...state, roles: new Set([...state.roles, event.data.role]) };
    case ACCOUNTS_EVENTS.RoleRevoked:
      return { ...state, roles: new Set([...state.roles].filter((role) => role !== event.data.role)) };
    case ACCOUNTS_EVENTS.UserDeactivated:
      return { ...state, active: false, deactivated: true };
  }
}

export const foldUser = (events: UserEvent[]): UserState => events.reduce(evolve, initialUserState());

export const hasRole = (state: UserState, role: UserRole): boolean => state.roles.has(role);
