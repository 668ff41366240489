import { isDomainError } from '@dockyard/contracts';
import { asOutage, isOutage } from './outage';

describe('outage: a dependency down or restarting, told from a bug', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['PostgreSQL shutting down', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['PostgreSQL starting up', Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    ['a connection exception', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
  ])('%s is an outage, and travels as unavailable', (_, error) => {
    expect(isOutage(error)).toBe(true);
    const seen = asOutage(error, 'accounts');
    expect(isDomainError(seen) && seen.code).toBe('unavailable');
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error at all', 'oops'],
  ])('%s is not, and passes unchanged', (_, error) => {
    expect(isOutage(error)).toBe(false);
    expect(asOutage(error, 'accounts')).toBe(error);
  });
});
