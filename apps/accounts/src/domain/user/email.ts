import { DomainError } from '@dockyard/contracts';

// One mailbox, `local@domain`: the local part in RFC 5322's dot-atom characters, the domain in
// dot-separated labels. Deliberately stricter than the RFC (no quoted strings, no comments, no
// display names): anything that a mailer could read as a list (`x,other@corp.example`) or as
// headers would send the confirmation to a third party. The confirmation mail is the real check.
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** An e-mail address, compared case-insensitively (stored lower-cased). */
export class Email {
  private constructor(readonly value: string) {}

  static create(raw: unknown): Email {
    if (typeof raw !== 'string' || raw.length === 0) throw new DomainError('invalid', 'Email is required');
    if (raw.length > 254 || !EMAIL.test(raw)) throw new DomainError('invalid', 'Email must be one valid address');
    return new Email(raw.toLowerCase());
  }
}
