import { HttpException } from '@nestjs/common';

/**
 * Slows password guessing: after `maxFailures` wrong passwords for one username from one address
 * within `windowMs`, further attempts get 429 with Retry-After until the window ends. Written here
 * because rate-limit plugins count requests, not failed logins; the count is per gateway replica.
 */
export class FailedLoginLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 60_000,
  ) {}

  assertAllowed(username: string, address: string): void {
    const entry = this.failures.get(`${username}\0${address}`);
    if (!entry || entry.resetAt <= Date.now() || entry.count < this.maxFailures) return;
    const retryAfter = Math.ceil((entry.resetAt - Date.now()) / 1000);
    throw new TooManyFailedLogins(retryAfter);
  }

  recordFailure(username: string, address: string): void {
    const key = `${username}\0${address}`;
    const now = Date.now();
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) this.failures.set(key, { count: 1, resetAt: now + this.windowMs });
    else entry.count++;
    if (this.failures.size > 100_000) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.failures) if (entry.resetAt <= now) this.failures.delete(key);
  }
}

export class TooManyFailedLogins extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed logins, try again later', 429);
  }
}
