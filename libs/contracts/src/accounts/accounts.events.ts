/** Facts the accounts service publishes on `dockyard.accounts.events`. No secret is ever in them. */
export const ACCOUNTS_EVENTS = {
  UserRegistered: 'UserRegistered',
  EmailConfirmed: 'EmailConfirmed',
  EmailAdded: 'EmailAdded',
  PasswordChanged: 'PasswordChanged',
  /** Written before roles existed; read as `RoleGranted` with role `admin`. */
  AdminGranted: 'AdminGranted',
  RoleGranted: 'RoleGranted',
  RoleRevoked: 'RoleRevoked',
  UserDeactivated: 'UserDeactivated',
} as const;

export interface UserRegisteredV1 {
  username: string;
  email: string;
  /** False while the e-mail waits for confirmation. */
  active: boolean;
  /** True only for the operator's admin account created at start-up (DOCKYARD_ADMIN_USERNAME). */
  bootstrap?: boolean;
}
export interface EmailConfirmedV1 {
  username: string;
  email: string;
}
export interface EmailAddedV1 {
  username: string;
  email: string;
}
/** `credentialsVersion` lets every cache of this user's credentials see that they changed. */
export interface PasswordChangedV1 {
  username: string;
  credentialsVersion: number;
}
export interface AdminGrantedV1 {
  username: string;
}
/** Roles are granted by an admin (the event's actor), never by a name someone can register. */
export type UserRole = 'admin' | 'auditor';
export const USER_ROLES: readonly UserRole[] = ['admin', 'auditor'];
export interface RoleGrantedV1 {
  username: string;
  role: UserRole;
}
export interface RoleRevokedV1 {
  username: string;
  role: UserRole;
}
export interface UserDeactivatedV1 {
  username: string;
}

export const userStreamId = (username: string): string => `user-${username}`;
