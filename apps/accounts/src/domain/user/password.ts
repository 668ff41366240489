import { DomainError } from '@dockyard/contracts';

// C0 controls and DEL: a password travels in Basic credentials and HTTP headers, where they either
// break the header or are stripped differently by different clients.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A new password in clear, checked against the hub's policy before it is hashed. */
export class Password {
  private constructor(readonly value: string) {}

  static create(raw: unknown): Password {
    if (typeof raw !== 'string' || raw.length === 0) throw new DomainError('invalid', 'Password is required');
    if (raw.length < 5) throw new DomainError('invalid', 'Password must be at least 5 characters');
    // argon2 hashes any length, but an unbounded one is a cheap way to burn CPU.
    if (raw.length > 256) throw new DomainError('invalid', 'Password must be at most 256 characters');
    if (CONTROL.test(raw)) throw new DomainError('invalid', 'Password must not contain control characters');
    return new Password(raw);
  }
}
