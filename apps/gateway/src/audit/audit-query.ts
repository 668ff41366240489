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

/** An ISO-8601 instant (with a date at least), as a Date's ISO string; 400 otherwise. */
export function parseInstant(value: string, name: string): string {
  const time = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(time)) throw new DomainError('invalid', `${name} must be an ISO-8601 instant`);
  return new Date(time).toISOString();
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
