import { WrongExpectedVersionError } from './event-store.types';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retry-on-conflict';

const lostRace = () => new WrongExpectedVersionError('stream-1', 3);

describe('retryOnConflict', () => {
  it('decides again after each lost race, and answers what the winning attempt returned', async () => {
    let calls = 0;
    await expect(retryOnConflict(async () => (++calls < 4 ? Promise.reject(lostRace()) : 'written'))).resolves.toBe('written');
    expect(calls).toBe(4);
  });

  it(`after ${CONFLICT_ATTEMPTS} lost races it is a conflict (409), attempted no more`, async () => {
    let calls = 0;
    const outcome = retryOnConflict(async () => {
      calls++;
      throw lostRace();
    });
    await expect(outcome).rejects.toMatchObject({ code: 'conflict', message: 'Changed concurrently, try again' });
    expect(calls).toBe(CONFLICT_ATTEMPTS);
  });

  it('any other error goes out at once', async () => {
    let calls = 0;
    const outcome = retryOnConflict(async () => {
      calls++;
      throw new Error('disk on fire');
    });
    await expect(outcome).rejects.toThrow('disk on fire');
    expect(calls).toBe(1);
  });
});
