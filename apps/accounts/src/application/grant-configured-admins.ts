import { grantAdmin } from '../domain/user';
import { UserRepository } from '../infrastructure/user.repository';
import { retryOnConflict } from './retry-on-conflict';

/** At start-up, makes the existing users named in DOCKYARD_ADMINS admins (new ones are at registration). */
export async function grantConfiguredAdmins(users: UserRepository, admins: string[]): Promise<void> {
  for (const username of admins) {
    await retryOnConflict(async () => {
      const { state, version } = await users.load(username);
      if (!state.exists) return;
      const events = grantAdmin(state);
      if (events.length > 0) {
        await users.append(username, version, events, { correlationId: 'startup', actor: 'system:accounts' });
      }
    });
  }
}
