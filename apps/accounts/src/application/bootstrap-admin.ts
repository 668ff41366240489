import { Logger } from '@dockyard/runtime';
import { Email, Password, Username, bootstrapAdmin } from '../domain/user';
import { PasswordHasher } from '../infrastructure/password-hasher';
import { UserRepository } from '../infrastructure/user.repository';

export interface AdminBootstrapSettings {
  username: string;
  /** Unset: no admin account is created (admins are then made by an existing admin only). */
  password: string | undefined;
}

/**
 * At start-up, creates the operator's admin account if it does not exist. An account of that name
 * that this bootstrap did not create (someone signed up first) gets nothing: start-up logs an error
 * instead, so a name in the configuration can never be claimed by registering it (CVE-2019-16097).
 */
export async function ensureBootstrapAdmin(
  users: UserRepository,
  hasher: PasswordHasher,
  settings: AdminBootstrapSettings,
  logger: Logger,
): Promise<void> {
  if (settings.password === undefined) return;
  const username = Username.create(settings.username);
  const { state } = await users.load(username.value);
  if (state.exists) {
    if (!state.bootstrap) {
      logger.error(
        { username: username.value },
        'the admin account name is taken by an account the bootstrap did not create: no role granted; choose another DOCKYARD_ADMIN_USERNAME',
      );
    }
    return;
  }
  const password = Password.create(settings.password);
  const events = bootstrapAdmin(state, {
    username,
    // Never mailed: the account is active at once. A unique placeholder keeps e-mail claims unique.
    email: Email.create(`${username.value}@admin.dockyard.invalid`),
    passwordHash: await hasher.hash(password.value),
  });
  try {
    await users.append(username.value, 0, events, { correlationId: 'startup', actor: 'system:bootstrap' }, []);
    logger.info({ username: username.value }, 'created the bootstrap admin account');
  } catch (error) {
    // Another replica created it first (its stream exists now): the next start sees it as ours.
    const again = await users.load(username.value);
    if (!again.state.bootstrap) throw error;
  }
}
