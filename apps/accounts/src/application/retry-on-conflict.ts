import { DomainError } from '@dockyard/contracts';
import { WrongExpectedVersionError } from '@dockyard/eventstore';

/**
 * Runs load → decide → append again when another writer appended to the stream in between, so a
 * lost race is retried on fresh state rather than half-applied; after `attempts` it is a 409.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (i >= attempts) throw new DomainError('conflict', 'The user was changed concurrently, try again');
    }
  }
}
