import { DomainError } from '@dockyard/contracts';

/** A new password in clear, checked against the hub's policy before it is hashed. */
export class Password {
  private constructor(readonly value: string) {}

  static create(raw: unknown): Password {
    if (typeof raw !== 'string' || raw.length === 0) throw new DomainError('invalid', 'Password is required');
    if (raw.length < 5) throw new DomainError('invalid', 'Password must be at least 5 characters');
    // argon2 hashes any length, but an unbounded one is a cheap way to burn CPU.
    if (raw.length > 256) throw new DomainError('invalid', 'Password must be at most 256 characters');
    return new Password(raw);
  }
}
