import {
  ACCOUNTS_EVENTS,
  AdminGrantedV1,
  EmailAddedV1,
  EmailConfirmedV1,
  PasswordChangedV1,
  RoleGrantedV1,
  RoleRevokedV1,
  UserDeactivatedV1,
  UserRegisteredV1,
} from '@dockyard/contracts';

/**
 * The User stream's events as the accounts service stores them: the public `data` (published as
 * the contracts say) and the `secret` part that never leaves this service.
 */
export type UserEvent =
  | {
      type: typeof ACCOUNTS_EVENTS.UserRegistered;
      data: UserRegisteredV1;
      secret: { passwordHash: string; confirmationCodeHash: string | null };
    }
  | { type: typeof ACCOUNTS_EVENTS.EmailConfirmed; data: EmailConfirmedV1 }
  | { type: typeof ACCOUNTS_EVENTS.EmailAdded; data: EmailAddedV1 }
  | { type: typeof ACCOUNTS_EVENTS.PasswordChanged; data: PasswordChangedV1; secret: { passwordHash: string } }
  | { type: typeof ACCOUNTS_EVENTS.AdminGranted; data: AdminGrantedV1 }
  | { type: typeof ACCOUNTS_EVENTS.RoleGranted; data: RoleGrantedV1 }
  | { type: typeof ACCOUNTS_EVENTS.RoleRevoked; data: RoleRevokedV1 }
  | { type: typeof ACCOUNTS_EVENTS.UserDeactivated; data: UserDeactivatedV1 };
