import { parseBasicCredentials } from './basic-credentials';
import { CredentialCache } from './credential-cache';
import { FailedLoginLimiter, TooManyFailedLogins } from './failed-login-limiter';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseBasicCredentials', () => {
  it('reads user and password; the password may contain colons', () => {
    expect(parseBasicCredentials(`Basic ${b64('alice:se:cret')}`)).toEqual({ username: 'alice', password: 'se:cret' });
    expect(parseBasicCredentials(`basic ${b64('a:b')}`)).toEqual({ username: 'a', password: 'b' });
  });
  it('gives an empty pair for the logged-out docker client (Basic Og==) and for garbage', () => {
    expect(parseBasicCredentials('Basic Og==')).toEqual({ username: '', password: '' });
    expect(parseBasicCredentials('Basic !!!')).toEqual({ username: '', password: '' });
    expect(parseBasicCredentials('Basic !!!not-base64')).toEqual({ username: '', password: '' });
  });
  it('refuses control characters in the decoded credentials with a 400, NUL first of all', () => {
    for (const pair of ['ali\u0000ce:secret', 'alice:sec\u0000ret', 'alice:se\ncret', 'al\u007fice:x', '\u0001:x']) {
      expect(() => parseBasicCredentials(`Basic ${b64(pair)}`)).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
  });
  it('is null without Basic credentials', () => {
    expect(parseBasicCredentials(undefined)).toBeNull();
    expect(parseBasicCredentials('Token signature=x')).toBeNull();
  });
});

describe('CredentialCache', () => {
  it('remembers right credentials under a keyed hash, never the password', () => {
    const cache = new CredentialCache(Buffer.from('k'));
    cache.remember('alice', 'secret', 3);
    expect(cache.get('alice', 'secret')).toEqual({ username: 'alice', credentialsVersion: 3 });
    expect(cache.get('alice', 'other')).toBeUndefined();
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries])).not.toContain('secret');
    cache.forget('alice', 'secret');
    expect(cache.get('alice', 'secret')).toBeUndefined();
  });
  it('is bounded: the oldest entry leaves first', () => {
    const cache = new CredentialCache(Buffer.from('k'), 2);
    cache.remember('a', 'p', 1);
    cache.remember('b', 'p', 1);
    cache.remember('c', 'p', 1);
    expect(cache.get('a', 'p')).toBeUndefined();
    expect(cache.get('c', 'p')).toBeDefined();
  });
});

describe('FailedLoginLimiter', () => {
  const refused = (take: () => unknown): TooManyFailedLogins => {
    try {
      take();
    } catch (error) {
      return error as TooManyFailedLogins;
    }
    throw new Error('the attempt was allowed');
  };

  it('blocks after the allowed failures for that user and address only, with a retry time', () => {
    const limiter = new FailedLoginLimiter(3, 60000);
    for (let i = 0; i < 3; i++) limiter.begin('alice', '1.2.3.4')('wrong');
    const error = refused(() => limiter.begin('alice', '1.2.3.4'));
    expect(error).toBeInstanceOf(TooManyFailedLogins);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(() => limiter.begin('alice', '5.6.7.8')).not.toThrow();
    expect(() => limiter.begin('bob', '1.2.3.4')).not.toThrow();
  });

  it('counts attempts in flight: parallel guesses cannot outrun the count', () => {
    const limiter = new FailedLoginLimiter(10, 60000);
    const ends = Array.from({ length: 10 }, () => limiter.begin('alice', 'ip'));
    // None has failed yet, but every slot is taken: the right password waits too.
    expect(refused(() => limiter.begin('alice', 'ip'))).toBeInstanceOf(TooManyFailedLogins);
    ends.forEach((end) => end('wrong'));
    expect(refused(() => limiter.begin('alice', 'ip'))).toBeInstanceOf(TooManyFailedLogins);
  });

  it('a cached right login takes no slot, so one account’s parallel requests never limit themselves; it is refused while guesses hold the slots', () => {
    const limiter = new FailedLoginLimiter(3, 60000);
    for (let i = 0; i < 50; i++) limiter.assertAllowed('alice', 'ip');
    expect(limiter.size).toBe(0);
    const guesses = Array.from({ length: 3 }, () => limiter.begin('alice', 'ip'));
    expect(refused(() => limiter.assertAllowed('alice', 'ip'))).toBeInstanceOf(TooManyFailedLogins);
    guesses.forEach((end) => end('wrong'));
    expect(refused(() => limiter.assertAllowed('alice', 'ip'))).toBeInstanceOf(TooManyFailedLogins);
    expect(() => limiter.assertAllowed('alice', 'other-ip')).not.toThrow();
  });

  it('gives the slot back for a right login or an unrelated fault, once', () => {
    const limiter = new FailedLoginLimiter(2, 60000);
    for (let round = 0; round < 5; round++) {
      const first = limiter.begin('alice', 'ip');
      const second = limiter.begin('alice', 'ip');
      first('right');
      first('wrong'); // a second call changes nothing
      second('unknown');
    }
    expect(limiter.size).toBe(0);
    limiter.begin('alice', 'ip')('wrong');
    expect(() => limiter.begin('alice', 'ip')('right')).not.toThrow();
    expect(() => limiter.begin('alice', 'ip')).not.toThrow();
  });

  it('forgets failures when the window ends', () => {
    let now = 1000;
    const limiter = new FailedLoginLimiter(1, 60000, 100, () => now);
    limiter.begin('alice', 'ip')('wrong');
    expect(refused(() => limiter.begin('alice', 'ip')).retryAfterSeconds).toBe(60);
    now += 60000;
    expect(() => limiter.begin('alice', 'ip')('wrong')).not.toThrow();
  });

  it('keeps its memory bounded, never dropping a key with a login in flight', () => {
    let now = 0;
    const limiter = new FailedLoginLimiter(1, 60000, 100, () => now);
    const inFlight = limiter.begin('busy', 'ip');
    for (let i = 0; i < 1000; i++) limiter.begin(`user${i}`, 'ip')('wrong');
    expect(limiter.size).toBeLessThanOrEqual(100);
    expect(refused(() => limiter.begin('busy', 'ip'))).toBeInstanceOf(TooManyFailedLogins);
    inFlight('wrong');
    now += 60000;
    limiter.begin('fresh', 'ip')('wrong');
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
