import { ACCOUNTS_EVENTS, DomainError } from '@dockyard/contracts';
import { Email, Password, Username } from './index';
import { addEmail, bootstrapAdmin, changePassword, changeRole, confirmEmail, deactivate, register } from './user.decide';
import { UserEvent } from './user.events';
import { foldUser, hasRole } from './user.state';

const registered = (active = false): UserEvent => ({
  type: ACCOUNTS_EVENTS.UserRegistered,
  data: { username: 'alice_01', email: 'alice@example.com', active },
  secret: { passwordHash: 'hash-1', confirmationCodeHash: active ? null : 'code-hash' },
});
const given = (...events: UserEvent[]) => foldUser(events);
const expectError = (fn: () => unknown, code: string) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    return;
  }
  throw new Error(`expected a DomainError ${code}`);
};

describe('User aggregate', () => {
  const newUser = (code: string | null = 'code-hash') => ({
    username: Username.create('alice_01'),
    email: Email.create('Alice@Example.com'),
    passwordHash: 'hash-1',
    confirmationCodeHash: code,
  });

  describe('register', () => {
    it('records an inactive user while confirmation is pending', () => {
      const events = register(given(), newUser());
      expect(events).toEqual([
        {
          type: 'UserRegistered',
          data: { username: 'alice_01', email: 'alice@example.com', active: false },
          secret: { passwordHash: 'hash-1', confirmationCodeHash: 'code-hash' },
        },
      ]);
    });
    it('is active at once when confirmation is off, and never grants a role', () => {
      const events = register(given(), newUser(null));
      expect(events.map((e) => e.type)).toEqual(['UserRegistered']);
      const state = given(...events);
      expect(state).toMatchObject({ active: true, bootstrap: false, credentialsVersion: 1 });
      expect(hasRole(state, 'admin')).toBe(false);
    });
    it('refuses a taken username with the docker client’s exact message', () => {
      expect(() => register(given(registered()), newUser())).toThrow('Username or email already exists');
    });
  });

  describe('confirmEmail', () => {
    it('activates the account with the right code', () => {
      const events = confirmEmail(given(registered()), 'code-hash');
      expect(events).toEqual([{ type: 'EmailConfirmed', data: { username: 'alice_01', email: 'alice@example.com' } }]);
      expect(given(registered(), ...events).active).toBe(true);
    });
    it('refuses a wrong code and a second confirmation', () => {
      expectError(() => confirmEmail(given(registered()), 'code-hasX'), 'invalid');
      const confirmed = confirmEmail(given(registered()), 'code-hash');
      expectError(() => confirmEmail(given(registered(), ...confirmed), 'code-hash'), 'invalid');
    });
    it('needs a user', () => expectError(() => confirmEmail(given(), 'x'), 'not-found'));
  });

  describe('addEmail', () => {
    it('keeps the old addresses', () => {
      const events = addEmail(given(registered(true)), Email.create('second@example.com'));
      const state = given(registered(true), ...events);
      expect(state.emails.map((e) => e.address)).toEqual(['alice@example.com', 'second@example.com']);
    });
    it('is a no-op for an address the user has', () => {
      expect(addEmail(given(registered(true)), Email.create('ALICE@example.com'))).toEqual([]);
    });
    it('refuses an inactive user', () =>
      expectError(() => addEmail(given(registered(false)), Email.create('b@example.com')), 'inactive'));
  });

  describe('changePassword', () => {
    it('bumps the credentials version so caches of the old password drop it', () => {
      const events = changePassword(given(registered(true)), 'hash-2');
      expect(events[0]).toMatchObject({ type: 'PasswordChanged', data: { credentialsVersion: 2 } });
      expect(given(registered(true), ...events)).toMatchObject({ passwordHash: 'hash-2', credentialsVersion: 2 });
    });
    it('never puts the hash in the public data', () => {
      const [event] = changePassword(given(registered(true)), 'hash-2');
      expect(JSON.stringify(event.data)).not.toContain('hash-2');
    });
  });

  describe('bootstrapAdmin', () => {
    it('creates an active admin marked as the bootstrap’s own', () => {
      const events = bootstrapAdmin(given(), { username: Username.create('admin'), email: Email.create('a@admin.example'), passwordHash: 'h' });
      expect(events.map((e) => e.type)).toEqual(['UserRegistered', 'RoleGranted']);
      const state = given(...events);
      expect(state).toMatchObject({ active: true, bootstrap: true });
      expect(hasRole(state, 'admin')).toBe(true);
    });
    it('never takes over an account someone registered', () => {
      expectError(
        () => bootstrapAdmin(given(registered(true)), { username: Username.create('alice_01'), email: Email.create('a@b.cd'), passwordHash: 'h' }),
        'already-exists',
      );
    });
  });

  describe('changeRole and deactivate', () => {
    it('an admin grants and revokes, each once', () => {
      const granted = changeRole(given(registered(true)), { admin: true }, 'auditor', true);
      expect(granted).toEqual([{ type: 'RoleGranted', data: { username: 'alice_01', role: 'auditor' } }]);
      expect(changeRole(given(registered(true), ...granted), { admin: true }, 'auditor', true)).toEqual([]);
      const revoked = changeRole(given(registered(true), ...granted), { admin: true }, 'auditor', false);
      expect(revoked).toEqual([{ type: 'RoleRevoked', data: { username: 'alice_01', role: 'auditor' } }]);
      expect(hasRole(given(registered(true), ...granted, ...revoked), 'auditor')).toBe(false);
      expect(changeRole(given(registered(true)), { admin: true }, 'auditor', false)).toEqual([]);
    });
    it('a non-admin, an unknown role and an unknown user are refused', () => {
      expectError(() => changeRole(given(registered(true)), { admin: false }, 'admin', true), 'forbidden');
      expectError(() => changeRole(given(registered(true)), { admin: true }, 'owner', true), 'invalid');
      expectError(() => changeRole(given(), { admin: true }, 'admin', true), 'not-found');
    });
    it('reads the AdminGranted events written before roles existed as the admin role', () => {
      const state = given(registered(true), { type: ACCOUNTS_EVENTS.AdminGranted, data: { username: 'alice_01' } });
      expect(hasRole(state, 'admin')).toBe(true);
    });
    it('deactivation makes the account inactive for good', () => {
      const events = deactivate(given(registered(true)));
      const state = given(registered(true), ...events);
      expect(state.active).toBe(false);
      expectError(() => changePassword(state, 'h'), 'inactive');
      expect(deactivate(state)).toEqual([]);
    });
  });
});

describe('value objects', () => {
  it.each(['abc', 'a'.repeat(31), 'Alice', 'al-ice', '', 42])('rejects username %p', (raw) =>
    expectError(() => Username.create(raw), 'invalid'),
  );
  it.each(['abcd', 'a_1_b', 'a'.repeat(30)])('accepts username %p', (raw) => expect(Username.create(raw).value).toBe(raw));
  it.each(['library', 'admin', 'search', 'users', 'audit', 'organizations', 'images', 'repositories'])(
    'refuses the reserved name %p at registration only',
    (raw) => {
      expectError(() => Username.forRegistration(raw), 'invalid');
      expect(Username.create(raw).value).toBe(raw);
    },
  );
  it.each(['', 'nope', 'a@b', 'a b@c.d', 7, 'x,other@corp.example', 'a@b.cd,c@d.ef', 'a@b.cd; c@d.ef', 'A <a@b.cd>', 'a\u0000@b.cd', 'a@b.cd\r\nBcc: c@d.ef', '"a b"@c.de'])(
    'rejects email %p',
    (raw) => expectError(() => Email.create(raw), 'invalid'),
  );
  it.each(['a@b.cd', 'first.last+tag@sub.example.com', "o'neil@x.io"])('accepts email %p', (raw) => expect(Email.create(raw).value).toBe(raw.toLowerCase()));
  it('lower-cases e-mail', () => expect(Email.create('A@B.CD').value).toBe('a@b.cd'));
  it.each(['', '1234', 'x'.repeat(257), null, 'secret\u0000', 'sec\nret1', 'secret\u007f'])('rejects password %p', (raw) =>
    expectError(() => Password.create(raw), 'invalid'),
  );
  it('accepts a 5-character password', () => expect(Password.create('12345').value).toBe('12345'));
});
