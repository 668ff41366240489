/** The accounts service's part of the hub configuration. */
export interface AccountsSettings {
  requireConfirmation: boolean;
  publicUrl: string;
}
export const ACCOUNTS_SETTINGS = Symbol('AccountsSettings');
