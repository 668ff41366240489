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
  it('blocks after the allowed failures for that user and address only, with a retry time', () => {
    const limiter = new FailedLoginLimiter(3, 60000);
    for (let i = 0; i < 3; i++) {
      limiter.assertAllowed('alice', '1.2.3.4');
      limiter.recordFailure('alice', '1.2.3.4');
    }
    let error: unknown;
    try {
      limiter.assertAllowed('alice', '1.2.3.4');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TooManyFailedLogins);
    expect((error as TooManyFailedLogins).retryAfterSeconds).toBeGreaterThan(0);
    expect(() => limiter.assertAllowed('alice', '5.6.7.8')).not.toThrow();
    expect(() => limiter.assertAllowed('bob', '1.2.3.4')).not.toThrow();
  });
  it('forgets failures when the window ends', () => {
    const limiter = new FailedLoginLimiter(1, 1);
    limiter.recordFailure('alice', 'ip');
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        expect(() => limiter.assertAllowed('alice', 'ip')).not.toThrow();
        resolve();
      }, 5),
    );
  });
});
