import { DomainError } from '@dockyard/contracts';
import { WrongExpectedVersionError } from './event-store.types';

/** How many times a lost race is decided again before it is a 409. */
export const CONFLICT_ATTEMPTS = 10;

/**
 * Runs load → decide → append again when another writer appended to the stream in between, so a
 * lost race is retried on fresh state rather than half-applied; after `attempts` it is a 409
 * `Changed concurrently, try again`. Between attempts a random wait up to 4, 8, 16 … 100 ms (full
 * jitter): writers that lost the same race, retried at once, read the same version and collided
 * again, so a burst of pushes to one repository had a quarter of them refused (found in review).
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = CONFLICT_ATTEMPTS): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (i >= attempts) throw new DomainError('conflict', 'Changed concurrently, try again');
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 2 ** (i + 1))));
    }
  }
}
