import { DomainError } from '@dockyard/contracts';

/** For Given/When/Then domain tests: the code of the DomainError `decide` throws, or 'ok' when it decides. */
export function codeOf(decide: () => unknown): string {
  try {
    decide();
    return 'ok';
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.code;
  }
}
