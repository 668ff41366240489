import { DomainError } from '@dockyard/contracts';

// Deliberately simple (one @, a dot in the domain, no spaces): the confirmation mail is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An e-mail address, compared case-insensitively (stored lower-cased). */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: unknown): Email {
    if (typeof raw !== 'string' || raw.length === 0) throw new DomainError('invalid', 'Email is required');
    if (raw.length > 254 || !EMAIL.test(raw)) throw new DomainError('invalid', 'Email is not a valid address');
    return new Email(raw.toLowerCase());
  }
}
