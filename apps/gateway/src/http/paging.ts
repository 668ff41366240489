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

/** Seed 004's list pages: `page` (1–MAX_PAGE) and `page_size` (1–100, default 25). */
export function listPage(pageParam: unknown, sizeParam: unknown): { page: number; size: number; offset: number } {
  const page = pageNumber(pageParam, 'page', 1, MAX_PAGE);
  const size = pageNumber(sizeParam, 'page_size', 25, 100);
  return { page, size, offset: (page - 1) * size };
}

/** Seed 004's list answer: `{count, next, previous, results}`, the links to `path` with the same page size. */
export function listAnswer<T>(path: string, at: { page: number; size: number }, count: number, results: T[]) {
  const link = (p: number) => `${path}?page=${p}&page_size=${at.size}`;
  return {
    count,
    next: at.page * at.size < count ? link(at.page + 1) : null,
    previous: at.page > 1 ? link(at.page - 1) : null,
    results,
  };
}
