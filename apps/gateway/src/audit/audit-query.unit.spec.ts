import { codeOf } from '@dockyard/testing';
import { parseAuditQuery, parseInstant } from './audit-query';

describe('audit query instants', () => {
  it('takes dates and instants with an offset, as UTC', () => {
    expect(parseInstant('2026-02-28', 'from')).toBe('2026-02-28T00:00:00.000Z');
    expect(parseInstant('2024-02-29T12:00:00+02:00', 'from')).toBe('2024-02-29T10:00:00.000Z');
    expect(parseInstant('0001-01-01T00:00:00Z', 'from')).toBe('0001-01-01T00:00:00.000Z');
  });

  it('refuses a day the calendar does not have, instead of rolling it over (found in review)', () => {
    for (const value of ['2026-02-30', '2025-02-29', '2026-04-31T00:00:00Z', '2026-13-01', '2026-00-10', '2026-01-00']) {
      expect(codeOf(() => parseInstant(value, 'until'))).toBe('invalid');
    }
  });

  it('refuses instants PostgreSQL cannot store: year 0, or year 1 moved into year 0 by its offset (found in review: a 500)', () => {
    for (const value of ['0000-01-01', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-14:00']) {
      expect(codeOf(() => parseInstant(value, 'from'))).toBe('invalid');
    }
    expect(codeOf(() => parseAuditQuery({ from: '0000-06-01' }))).toBe('invalid');
  });
});
