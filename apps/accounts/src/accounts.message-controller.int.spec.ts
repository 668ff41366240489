import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ACCOUNTS_COMMANDS,
  ACCOUNTS_EVENTS,
  AuthenticateReply,
  RegisterUserReply,
  isDomainError,
  userStreamId,
} from '@dockyard/contracts';
import {
  EventProbe,
  TestHub,
  countStoredEvents,
  ServiceUnderTest,
  startServiceUnderTest,
  storedEvents,
} from '@dockyard/testing';
import { AccountsModule } from './accounts.module';

/** The accounts microservice as Nest runs it, on real PostgreSQL and the in-process bus. */
describe('accounts message controller (Nest microservice, PostgreSQL, InProcessBus)', () => {
  let service: ServiceUnderTest;
  let hub: TestHub;
  let probe: EventProbe;

  beforeAll(async () => {
    service = await startServiceUnderTest('accounts', AccountsModule);
    ({ hub, probe } = service);
  });
  afterAll(() => service?.close());

  const send = <T>(pattern: string, payload: unknown, key?: string) => service.send<T>(pattern, payload, key);
  const failure = (pattern: string, payload: unknown) => service.refusal(pattern, payload);

  it('registers a user: replies with the written stream, appends UserRegistered with the hash kept secret, publishes it', async () => {
    const password = 'correct horse 1';
    const reply = await send<RegisterUserReply>(
      ACCOUNTS_COMMANDS.RegisterUser,
      { username: 'ada_0001', password, email: 'ada@example.com' },
      'ada_0001',
    );
    expect(reply).toEqual({ source: 'accounts', streamId: 'user-ada_0001', streamVersion: 1, active: false });

    const [stored, ...more] = await storedEvents(hub.pool, 'accounts', userStreamId('ada_0001'));
    expect(more).toEqual([]);
    expect(stored).toMatchObject({
      type: ACCOUNTS_EVENTS.UserRegistered,
      streamId: 'user-ada_0001',
      streamVersion: 1,
      data: { username: 'ada_0001', email: 'ada@example.com', active: false },
    });
    expect(Object.keys(stored.data).sort()).toEqual(['active', 'email', 'username']);
    expect(String(stored.secret?.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored.data)).not.toContain(password);
    expect(JSON.stringify(stored.data)).not.toContain('argon2');

    const [published] = await probe.ofStream('user-ada_0001', 1);
    expect(published).toMatchObject({
      source: 'accounts',
      type: ACCOUNTS_EVENTS.UserRegistered,
      streamVersion: 1,
      data: stored.data,
    });
    expect(published).not.toHaveProperty('secret');
    expect(published.secretDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(published)).not.toContain(password);
    expect(JSON.stringify(published)).not.toContain(String(stored.secret?.passwordHash));
  });

  it('confirms the e-mail with the mailed code: EmailConfirmed appended and published, the user then authenticates active', async () => {
    const mailDir = join(hub.dataDir, 'mail');
    const [mail] = (await readdir(mailDir)).filter((f) => f.endsWith('-ada_0001.eml'));
    // The .eml is quoted-printable: soft line breaks and `=3D` for `=`.
    const text = (await readFile(join(mailDir, mail), 'utf8'))
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    const code = /confirm\?code=([A-Za-z0-9_-]+)/.exec(text)?.[1];
    expect(code).toBeDefined();

    const reply = await send(ACCOUNTS_COMMANDS.ConfirmEmail, { username: 'ada_0001', code }, 'ada_0001');
    expect(reply).toEqual({ source: 'accounts', streamId: 'user-ada_0001', streamVersion: 2 });
    const events = await storedEvents(hub.pool, 'accounts', 'user-ada_0001');
    expect(events.map((e) => [e.type, e.streamVersion])).toEqual([
      [ACCOUNTS_EVENTS.UserRegistered, 1],
      [ACCOUNTS_EVENTS.EmailConfirmed, 2],
    ]);
    expect(JSON.stringify(events[1].data)).not.toContain(code!);
    expect((await probe.ofStream('user-ada_0001', 2))[1]).toMatchObject({
      type: ACCOUNTS_EVENTS.EmailConfirmed,
      data: events[1].data,
    });

    await expect(
      send<AuthenticateReply>(ACCOUNTS_COMMANDS.Authenticate, {
        username: 'ada_0001',
        password: 'correct horse 1',
      }),
    ).resolves.toEqual({
      username: 'ada_0001',
      active: true,
      admin: false,
      auditor: false,
      credentialsVersion: 1,
      // Registered, then confirmed: the answer says which version of the stream it was read at.
      streamVersion: 2,
    });
    expect(
      await failure(ACCOUNTS_COMMANDS.Authenticate, { username: 'ada_0001', password: 'wrong horse 1' }),
    ).toMatchObject({
      code: 'unauthenticated',
    });
  });

  it('changes the password: PasswordChanged carries the credentials version, never the password or its hash', async () => {
    const reply = await send(
      ACCOUNTS_COMMANDS.UpdateUser,
      { actor: { username: 'ada_0001', admin: false }, username: 'ada_0001', password: 'new secret 22' },
      'ada_0001',
    );
    expect(reply).toEqual({ source: 'accounts', streamId: 'user-ada_0001', streamVersion: 3 });
    const changed = (await storedEvents(hub.pool, 'accounts', 'user-ada_0001'))[2];
    expect(changed).toMatchObject({
      type: ACCOUNTS_EVENTS.PasswordChanged,
      data: { username: 'ada_0001', credentialsVersion: 2 },
    });
    expect(String(changed.secret?.passwordHash)).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(changed.data)).not.toContain('new secret 22');
    const published = (await probe.ofStream('user-ada_0001', 3))[2];
    expect(published.data).toEqual({ username: 'ada_0001', credentialsVersion: 2 });
    await expect(
      send(ACCOUNTS_COMMANDS.Authenticate, { username: 'ada_0001', password: 'new secret 22' }),
    ).resolves.toMatchObject({
      credentialsVersion: 2,
      streamVersion: 3,
    });
  });

  it('refuses a taken username (and a taken e-mail) with already-exists, appending nothing', async () => {
    const before = await countStoredEvents(hub.pool, 'accounts');
    expect(
      await failure(ACCOUNTS_COMMANDS.RegisterUser, {
        username: 'ada_0001',
        password: 'another 123',
        email: 'other@example.com',
      }),
    ).toMatchObject({
      code: 'already-exists',
      message: 'Username or email already exists',
    });
    expect(
      await failure(ACCOUNTS_COMMANDS.RegisterUser, {
        username: 'bert_001',
        password: 'another 123',
        email: 'ada@example.com',
      }),
    ).toMatchObject({
      code: 'already-exists',
    });
    expect(await countStoredEvents(hub.pool, 'accounts')).toBe(before);
  });

  it('refuses a domain rule with its own message: a reserved name, a short password', async () => {
    expect(
      await failure(ACCOUNTS_COMMANDS.RegisterUser, {
        username: 'library',
        password: 'secret 123',
        email: 'l@example.com',
      }),
    ).toMatchObject({
      code: 'invalid',
      message: 'The name library is reserved',
    });
    expect(
      await failure(ACCOUNTS_COMMANDS.RegisterUser, {
        username: 'carl_001',
        password: '1234',
        email: 'c@example.com',
      }),
    ).toMatchObject({
      code: 'invalid',
      message: 'Password must be at least 5 characters',
    });
    expect(await storedEvents(hub.pool, 'accounts', 'user-carl_001')).toEqual([]);
  });

  it.each([
    [
      'a username that is not a string',
      ACCOUNTS_COMMANDS.RegisterUser,
      { username: 42, password: 'secret 123', email: 'x@example.com' },
    ],
    [
      'an unknown field',
      ACCOUNTS_COMMANDS.RegisterUser,
      { username: 'dora_001', password: 'secret 123', email: 'd@example.com', admin: true },
    ],
    ['a missing password', ACCOUNTS_COMMANDS.Authenticate, { username: 'ada_0001' }],
    [
      'an actor of the wrong shape',
      ACCOUNTS_COMMANDS.ChangeRole,
      { actor: { username: 'ada_0001', admin: 'yes' }, username: 'ada_0001', role: 'admin', granted: true },
    ],
    ['a missing actor', ACCOUNTS_COMMANDS.UpdateUser, { username: 'ada_0001', password: 'secret 123' }],
  ])(
    'a malformed command (%s) gets the typed invalid error and appends nothing',
    async (_case, pattern, payload) => {
      const before = await countStoredEvents(hub.pool, 'accounts');
      const error = await failure(pattern, payload);
      expect({ name: error.name, code: error.code, message: error.message }).toMatchObject({
        name: 'DomainError',
        code: 'invalid',
      });
      expect(isDomainError(error)).toBe(true);
      expect(error.message).toMatch(/^Invalid command: /);
      expect(await countStoredEvents(hub.pool, 'accounts')).toBe(before);
      expect(await storedEvents(hub.pool, 'accounts', 'user-dora_001')).toEqual([]);
    },
  );
});
