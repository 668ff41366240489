import { DomainError } from '@dockyard/contracts';

/** Far past any real list, small enough that `(page - 1) * size` stays an exact bigint offset. */
export const MAX_PAGE = 1_000_000;

/**
 * A positive integer query parameter in `[1, max]`, or `fallback` when absent. Strict: only
 * decimal digits (no `1e3`, `0x10`, `-1`, `1.0`, blanks, repeats), so a huge or odd value is a 400
 * here rather than an overflow in SQL.
 */
export function pageNumber(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new DomainError('invalid', `${name} must be an integer from 1 to ${max}`);
  }
  return number;
}
