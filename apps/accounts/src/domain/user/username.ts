import { DomainError } from '@dockyard/contracts';
import { isReservedName } from './reserved-names';

const USERNAME = /^[a-z0-9_]{4,30}$/;

/** A hub username: 4–30 characters of [a-z0-9_] (seed 000); it is also the user's namespace. */
export class Username {
  private constructor(readonly value: string) {}

  static create(raw: unknown): Username {
    if (typeof raw !== 'string' || raw.length === 0) throw new DomainError('invalid', 'Username is required');
    if (!USERNAME.test(raw)) {
      throw new DomainError('invalid', 'Username must be 4 to 30 characters of lower-case letters, digits and _');
    }
    return new Username(raw);
  }

  /** For sign-up: a syntactically valid name that is not one of the hub's reserved words. */
  static forRegistration(raw: unknown): Username {
    const username = Username.create(raw);
    if (isReservedName(username.value)) throw new DomainError('invalid', `The name ${username.value} is reserved`);
    return username;
  }
}
