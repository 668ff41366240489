import { HttpException } from '@nestjs/common';

interface Attempts {
  /** Wrong passwords within the window. */
  failures: number;
  /** Logins being checked right now: each may turn out wrong, so each takes one of the slots. */
  inFlight: number;
  resetAt: number;
}

/** How a login that took a slot ended. */
export type LoginOutcome = 'right' | 'wrong' | 'unknown';

/**
 * Slows password guessing: one username from one address gets `maxFailures` slots per `windowMs`.
 * A login takes a slot before its password is checked (the check takes ~20 ms of hashing, so a
 * burst of parallel guesses would otherwise all pass a count taken before any of them failed); a
 * wrong password keeps its slot until the window ends, a right one (or an unrelated fault) gives
 * it back. When all slots are taken the attempt is refused with 429 and Retry-After.
 *
 * Written here because rate-limit plugins count requests, not failed logins. The count lives in
 * this gateway replica's memory: with N replicas a guesser gets at most N times the limit. Memory is
 * bounded: past `maxEntries` keys, finished windows are dropped, then the oldest keys nobody is
 * logging in with right now (a guesser would need to churn that many keys to win a fresh window).
 */
export class FailedLoginLimiter {
  private readonly attempts = new Map<string, Attempts>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * For a login that needs no check (a right password this replica verified before, from the
   * credential cache): refused like any attempt while the slots are taken — so the right password
   * sent inside a burst of guesses is refused too — but it takes no slot, so many parallel requests
   * of one account (a CI runner behind one address) are never limited by their own right logins.
   */
  assertAllowed(username: string, address: string): void {
    const entry = this.attempts.get(`${username}\0${address}`);
    if (!entry) return;
    const now = this.now();
    const failures = entry.resetAt > now ? entry.failures : 0;
    if (failures + entry.inFlight >= this.maxFailures) {
      throw new TooManyFailedLogins(Math.max(1, Math.ceil((entry.resetAt - now) / 1000)));
    }
  }

  /**
   * Takes a slot for one login, or throws TooManyFailedLogins. The caller must call the returned
   * function exactly once, with how the check ended.
   */
  begin(username: string, address: string): (outcome: LoginOutcome) => void {
    const key = `${username}\0${address}`;
    const now = this.now();
    let entry = this.attempts.get(key);
    if (entry && entry.resetAt <= now) {
      entry.failures = 0;
      entry.resetAt = now + this.windowMs;
    }
    if (!entry) {
      entry = { failures: 0, inFlight: 0, resetAt: now + this.windowMs };
      this.attempts.set(key, entry);
      if (this.attempts.size > this.maxEntries) this.shrink(now);
    }
    if (entry.failures + entry.inFlight >= this.maxFailures) {
      throw new TooManyFailedLogins(Math.max(1, Math.ceil((entry.resetAt - now) / 1000)));
    }
    entry.inFlight++;
    const taken = entry;
    let ended = false;
    return (outcome) => {
      if (ended) return;
      ended = true;
      taken.inFlight--;
      if (outcome === 'wrong') taken.failures++;
      if (taken.failures === 0 && taken.inFlight === 0 && this.attempts.get(key) === taken) this.attempts.delete(key);
    };
  }

  /** Keys currently tracked (for tests of the memory bound). */
  get size(): number {
    return this.attempts.size;
  }

  private shrink(now: number): void {
    for (const [key, entry] of this.attempts) if (entry.resetAt <= now && entry.inFlight === 0) this.attempts.delete(key);
    for (const [key, entry] of this.attempts) {
      if (this.attempts.size <= this.maxEntries) break;
      if (entry.inFlight === 0) this.attempts.delete(key);
    }
  }
}

export class TooManyFailedLogins extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed logins, try again later', 429);
  }
}
