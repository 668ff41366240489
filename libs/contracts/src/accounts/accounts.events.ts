/** Facts the accounts service publishes on `dockyard.accounts.events`. No secret is ever in them. */
export const ACCOUNTS_EVENTS = {
  UserRegistered: 'UserRegistered',
  EmailConfirmed: 'EmailConfirmed',
  EmailAdded: 'EmailAdded',
  PasswordChanged: 'PasswordChanged',
  AdminGranted: 'AdminGranted',
  UserDeactivated: 'UserDeactivated',
} as const;

export interface UserRegisteredV1 {
  username: string;
  email: string;
  /** False while the e-mail waits for confirmation. */
  active: boolean;
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
export interface UserDeactivatedV1 {
  username: string;
}

export const userStreamId = (username: string): string => `user-${username}`;
