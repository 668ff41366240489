import { DomainError } from '@dockyard/contracts';

/** Paging and filters of every audit list (docs/api.md, Audit). */
export interface AuditQuery {
  /** Entries after this feed position. */
  after: string | null;
  limit: number;
  types: string[] | null;
  actor: string | null;
  from: string | null;
  until: string | null;
}

export const AUDIT_PAGE_DEFAULT = 100;
export const AUDIT_PAGE_MAX = 1000;
const CURSOR = /^\d{1,18}$/;
const TYPE = /^[A-Za-z][A-Za-z0-9]{0,99}$/;

const single = (query: Record<string, unknown>, name: string): string | null => {
  const value = query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new DomainError('invalid', `${name} must be given once`);
  return value;
};

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

const daysIn = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * An ISO-8601 instant (with a date at least), as a Date's ISO string; 400 otherwise. `Date.parse`
 * rolls an impossible day over (2026-02-30 is March 2nd), so the calendar date is checked first; and
 * the instant must fall in years 1 to 9999, which PostgreSQL's timestamps take (year 0 it refuses).
 */
export function parseInstant(value: string, name: string): string {
  const parts = INSTANT.exec(value);
  const [year, month, day] = parts ? [Number(parts[1]), Number(parts[2]), Number(parts[3])] : [0, 0, 0];
  const time = parts && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) ? Date.parse(value) : NaN;
  const instant = Number.isNaN(time) ? null : new Date(time);
  if (!instant || instant.getUTCFullYear() < 1 || instant.getUTCFullYear() > 9999) {
    throw new DomainError('invalid', `${name} must be an ISO-8601 instant from year 1 to 9999`);
  }
  return instant.toISOString();
}

/** `?cursor=&limit=&type=&actor=&from=&until=`, checked: a malformed value is a 400. */
export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const cursor = single(query, 'cursor');
  if (cursor !== null && !CURSOR.test(cursor)) throw new DomainError('invalid', 'cursor must be a cursor from an earlier page');
  const limitText = single(query, 'limit');
  const limit = limitText === null ? AUDIT_PAGE_DEFAULT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? '1') || !Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX) {
    throw new DomainError('invalid', `limit must be an integer from 1 to ${AUDIT_PAGE_MAX}`);
  }
  const typeText = single(query, 'type');
  const types = typeText === null ? null : typeText.split(',').map((type) => type.trim());
  if (types && types.some((type) => !TYPE.test(type))) throw new DomainError('invalid', 'type must be a comma list of entry types');
  const actor = single(query, 'actor');
  if (actor !== null && (actor.length === 0 || actor.length > 200)) throw new DomainError('invalid', 'actor must be 1 to 200 characters');
  const from = single(query, 'from');
  const until = single(query, 'until');
  return {
    after: cursor,
    limit,
    types,
    actor,
    from: from === null ? null : parseInstant(from, 'from'),
    until: until === null ? null : parseInstant(until, 'until'),
  };
}
