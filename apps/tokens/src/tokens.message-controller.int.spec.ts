import { randomUUID } from 'node:crypto';
import {
  ACCOUNTS_EVENTS,
  IssueTokenReply,
  ORGANIZATION_EVENTS,
  REPOSITORIES_EVENTS,
  TOKENS_COMMANDS,
  TOKENS_EVENTS,
  isDomainError,
  organizationStreamId,
  repositoryStreamId,
  userStreamId,
} from '@dockyard/contracts';
import {
  EventProbe,
  TestHub,
  countStoredEvents,
  ServiceUnderTest,
  startServiceUnderTest,
  publishedEvent,
  storedEvents,
  waitUntil,
} from '@dockyard/testing';
import { TokenKeys } from '@dockyard/token-keys';
import { TokensModule } from './tokens.module';

/** The master key the gateways share with this service (DOCKYARD_TOKEN_KEY). */
const MASTER_KEY = 'int-spec-master-key';

const TOKEN =
  /^signature=([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+),repository="alice_01\/(web|old)",access=(read|write|delete)$/;

/** The tokens microservice as Nest runs it, on real PostgreSQL and the in-process bus. */
describe('tokens message controller (Nest microservice, PostgreSQL, InProcessBus)', () => {
  let service: ServiceUnderTest;
  let hub: TestHub;
  let probe: EventProbe;
  const web = randomUUID();
  const old = randomUUID();
  const alice = { username: 'alice_01', credentialsVersion: 1 };

  beforeAll(async () => {
    process.env.DOCKYARD_TOKEN_KEY = MASTER_KEY;
    service = await startServiceUnderTest('tokens', TokensModule, { actor: 'user:alice_01' });
    ({ hub, probe } = service);
  });
  afterAll(async () => {
    delete process.env.DOCKYARD_TOKEN_KEY;
    await service?.close();
  });

  const send = <T>(pattern: string, payload: unknown, key?: string) => service.send<T>(pattern, payload, key);
  const failure = (pattern: string, payload: unknown) => service.refusal(pattern, payload);
  const issue = (
    repository: string,
    repositoryId: string,
    access: string,
    user: typeof alice | null = alice,
  ) => send<IssueTokenReply>(TOKENS_COMMANDS.IssueToken, { repository, repositoryId, access, user });
  const validate = (token: string, repository: string, access: string) =>
    send(TOKENS_COMMANDS.ValidateToken, { token, repository, access });

  let writeToken: string;

  it("issues a user's token: TokenIssued appended and published as an audit record, never the token itself", async () => {
    const { token } = await issue('alice_01/web', web, 'write');
    writeToken = token;
    const [, signature, , access] = TOKEN.exec(token) ?? [];
    expect(access).toBe('write');

    const stored = await storedEvents(hub.pool, 'tokens');
    expect(stored).toHaveLength(1);
    const { tokenId, expiresAt } = stored[0].data as { tokenId: string; expiresAt: string };
    expect(stored[0]).toMatchObject({
      type: TOKENS_EVENTS.TokenIssued,
      streamId: `token-${tokenId}`,
      streamVersion: 1,
      secret: null,
      data: {
        tokenId,
        repository: 'alice_01/web',
        repositoryId: web,
        access: 'write',
        username: 'alice_01',
        expiresAt,
      },
    });
    expect(Object.keys(stored[0].data).sort()).toEqual([
      'access',
      'expiresAt',
      'kid',
      'repository',
      'repositoryId',
      'tokenId',
      'username',
    ]);
    // About a day (DOCKYARD_TOKEN_TTL_SECONDS' default) ahead.
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23 * 3600 * 1000);
    for (const part of [token, signature, ...signature.split('.')])
      expect(JSON.stringify(stored[0])).not.toContain(part);

    const [published] = await probe.ofStream(`token-${tokenId}`, 1);
    expect(published).toMatchObject({
      source: 'tokens',
      type: TOKENS_EVENTS.TokenIssued,
      data: stored[0].data,
    });
    expect(JSON.stringify(published)).not.toContain(signature);
  });

  it('validates a token for its repository and access only; an anonymous read token is stateless', async () => {
    await expect(validate(writeToken, 'alice_01/web', 'write')).resolves.toEqual({
      repositoryId: web,
      access: 'write',
      username: 'alice_01',
    });
    await expect(validate(writeToken, 'alice_01/web', 'any')).resolves.toMatchObject({ access: 'write' });
    expect(
      await failure(TOKENS_COMMANDS.ValidateToken, {
        token: writeToken,
        repository: 'alice_01/other',
        access: 'write',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'Token is for another repository',
    });
    expect(
      await failure(TOKENS_COMMANDS.ValidateToken, {
        token: writeToken,
        repository: 'alice_01/web',
        access: 'delete',
      }),
    ).toMatchObject({
      code: 'forbidden',
    });
    expect(
      await failure(TOKENS_COMMANDS.ValidateToken, {
        token: `${writeToken} `,
        repository: 'alice_01/web',
        access: 'write',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'Invalid token',
    });

    const before = await countStoredEvents(hub.pool, 'tokens');
    const { token } = await issue('alice_01/web', web, 'read', null);
    expect(token).toMatch(TOKEN);
    await expect(validate(token, 'alice_01/web', 'read')).resolves.toEqual({
      repositoryId: web,
      access: 'read',
      username: null,
    });
    expect(await countStoredEvents(hub.pool, 'tokens')).toBe(before);
  });

  it('a RepositoryDeleted on the bus (@EventPattern) voids the tokens of that repository, not of others', async () => {
    const { token: oldToken } = await issue('alice_01/old', old, 'read');
    await expect(validate(oldToken, 'alice_01/old', 'read')).resolves.toMatchObject({ repositoryId: old });

    // A whole stream, v1 then v2: consumers apply a stream's versions strictly in order.
    await hub.bus.publish('repositories', [
      publishedEvent('repositories', repositoryStreamId(old), 1, REPOSITORIES_EVENTS.RepositoryCreated, {
        repositoryId: old,
        namespace: 'alice_01',
        name: 'old',
      }),
      publishedEvent('repositories', repositoryStreamId(old), 2, REPOSITORIES_EVENTS.RepositoryDeleted, {
        repositoryId: old,
        namespace: 'alice_01',
        name: 'old',
      }),
    ]);
    await waitUntil(
      async () =>
        (await hub.pool.query('SELECT 1 FROM tokens.deleted_repositories WHERE repository_id = $1', [old]))
          .rowCount === 1,
      { what: 'the deletion to reach the tokens service' },
    );
    expect(
      await failure(TOKENS_COMMANDS.ValidateToken, {
        token: oldToken,
        repository: 'alice_01/old',
        access: 'read',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'Token was revoked',
    });
    await expect(validate(writeToken, 'alice_01/web', 'write')).resolves.toMatchObject({ repositoryId: web });
  });

  it("a PasswordChanged on the bus voids the user's earlier tokens; a token for the new credentials works", async () => {
    await hub.bus.publish('accounts', [
      publishedEvent('accounts', userStreamId('alice_01'), 1, ACCOUNTS_EVENTS.UserRegistered, {
        username: 'alice_01',
        email: 'alice@example.com',
        active: true,
      }),
      publishedEvent('accounts', userStreamId('alice_01'), 2, ACCOUNTS_EVENTS.PasswordChanged, {
        username: 'alice_01',
        credentialsVersion: 2,
      }),
    ]);
    await waitUntil(
      async () =>
        (
          await hub.pool.query(
            'SELECT credentials_version FROM tokens.user_credentials WHERE username = $1',
            ['alice_01'],
          )
        ).rows[0]?.credentials_version === 2,
      { what: 'the password change to reach the tokens service' },
    );
    expect(
      await failure(TOKENS_COMMANDS.ValidateToken, {
        token: writeToken,
        repository: 'alice_01/web',
        access: 'write',
      }),
    ).toMatchObject({
      code: 'forbidden',
      message: 'Token was revoked',
    });
    const { token } = await issue('alice_01/web', web, 'write', {
      username: 'alice_01',
      credentialsVersion: 2,
    });
    await expect(validate(token, 'alice_01/web', 'write')).resolves.toEqual({
      repositoryId: web,
      access: 'write',
      username: 'alice_01',
    });
  });

  describe('an organization whose permissions narrow (the tokens service keeps no teams)', () => {
    const walt = { username: 'walt_01', credentialsVersion: 1 };
    const olga = { username: 'olga_01', credentialsVersion: 1 };
    const app = randomUUID();
    const other = randomUUID();
    const orgEvent = (organization: string, version: number, type: string, data: Record<string, unknown>) =>
      publishedEvent('accounts', organizationStreamId(organization), version, type, { organization, ...data });
    const revokedAt = async (sql: string, key: unknown[]) => (await hub.pool.query(sql, key)).rows[0]?.revoked_at?.getTime() ?? 0;
    const narrowedAt = () => revokedAt('SELECT revoked_at FROM tokens.namespace_revocations WHERE namespace = $1', ['acme_org']);
    const leftAt = (username: string) =>
      revokedAt('SELECT revoked_at FROM tokens.membership_revocations WHERE username = $1 AND namespace = $2', [username, 'gamma_org']);
    const refused = (token: string, repository: string, access: string) =>
      expect(failure(TOKENS_COMMANDS.ValidateToken, { token, repository, access })).resolves.toMatchObject({ code: 'forbidden', message: 'Token was revoked' });
    const pause = () => new Promise((r) => setTimeout(r, 20));

    it('a team’s permission set, or a repository taken from a team, voids every user’s earlier token there; anonymous ones, later ones and other organizations’ keep working', async () => {
      const member = await issue('acme_org/app', app, 'write', walt);
      const owner = await issue('acme_org/app', app, 'delete', olga);
      const anonymous = await issue('acme_org/app', app, 'read', null);
      const elsewhere = await issue('beta_org/app', other, 'write', walt);
      await pause();
      await hub.bus.publish('accounts', [orgEvent('acme_org', 1, ORGANIZATION_EVENTS.TeamPermissionSet, { team: 'crew', permission: 'read' })]);
      await waitUntil(async () => (await narrowedAt()) > 0, { what: 'the narrowing to reach the tokens service' });
      await refused(member.token, 'acme_org/app', 'write');
      await refused(owner.token, 'acme_org/app', 'delete');
      await expect(validate(anonymous.token, 'acme_org/app', 'read')).resolves.toMatchObject({ repositoryId: app, username: null });
      await expect(validate(elsewhere.token, 'beta_org/app', 'write')).resolves.toMatchObject({ repositoryId: other, username: 'walt_01' });
      await pause();
      const later = await issue('acme_org/app', app, 'write', walt);
      await expect(validate(later.token, 'acme_org/app', 'write')).resolves.toMatchObject({ repositoryId: app, username: 'walt_01' });

      const first = await narrowedAt();
      await pause();
      await hub.bus.publish('accounts', [orgEvent('acme_org', 2, ORGANIZATION_EVENTS.TeamRepositoryRemoved, { team: 'crew', repository: 'app' })]);
      await waitUntil(async () => (await narrowedAt()) > first, { what: 'the repository’s removal from the team' });
      await refused(later.token, 'acme_org/app', 'write');
    });

    it('an owner made a member loses his earlier tokens there; a member made owner keeps his', async () => {
      const demoted = await issue('gamma_org/app', app, 'delete', olga);
      const promoted = await issue('gamma_org/app', app, 'write', { username: 'rita_01', credentialsVersion: 1 });
      await pause();
      await hub.bus.publish('accounts', [
        orgEvent('gamma_org', 1, ORGANIZATION_EVENTS.MemberRoleSet, { username: 'rita_01', role: 'owner' }),
        orgEvent('gamma_org', 2, ORGANIZATION_EVENTS.MemberRoleSet, { username: 'olga_01', role: 'member' }),
      ]);
      await waitUntil(async () => (await leftAt('olga_01')) > 0, { what: 'the demotion to reach the tokens service' });
      await refused(demoted.token, 'gamma_org/app', 'delete');
      await expect(validate(promoted.token, 'gamma_org/app', 'write')).resolves.toMatchObject({ repositoryId: app, username: 'rita_01' });
      expect(await leftAt('rita_01')).toBe(0);
    });
  });

  describe('tokens signed by a gateway (its own kid under the shared master key)', () => {
    const gateway = TokenKeys.fromSecret(MASTER_KEY);
    const grantFor = (overrides: Record<string, unknown> = {}) => ({
      tokenId: randomUUID(),
      repository: 'alice_01/web',
      repositoryId: web,
      access: 'read' as const,
      username: null,
      credentialsVersion: null,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
      issuedAt: Date.now(),
      ...overrides,
    });
    const tokenOf = (signature: string) => `signature=${signature},repository="alice_01/web",access=read`;

    it('validates a grant any gateway replica signed', async () => {
      await expect(validate(tokenOf(gateway.sign(grantFor())), 'alice_01/web', 'read')).resolves.toMatchObject({ repositoryId: web });
    });

    it.each([
      ['a made-up kid', () => {
        const payload = Buffer.from(JSON.stringify({ ...grantFor(), kid: 'attackerKid' })).toString('base64url');
        return `${payload}.${TokenKeys.fromSecret('attacker').sign(grantFor()).split('.')[1]}`;
      }],
      ['a valid MAC under another master key', () => TokenKeys.fromSecret('another hub', gateway.kid).sign(grantFor())],
      ['an expired grant', () => gateway.sign(grantFor({ expiresAt: Math.floor(Date.now() / 1000) - 1 }))],
    ])('refuses %s', async (_what, signature) => {
      expect(await failure(TOKENS_COMMANDS.ValidateToken, { token: tokenOf(signature()), repository: 'alice_01/web', access: 'read' })).toMatchObject({
        code: 'forbidden',
      });
    });

    it('records a batch of issued grants as TokenIssued events once each, however often the batch arrives', async () => {
      const batch = [1, 2, 3].map((n) => ({
        event: { tokenId: randomUUID(), repository: 'alice_01/web', repositoryId: web, access: 'read', username: 'alice_01', expiresAt: new Date().toISOString(), kid: gateway.kid },
        metadata: { correlationId: `req-${n}`, requestId: `req-${n}`, actor: 'user:alice_01', sourceIp: '198.51.100.7' },
      }));
      const before = await countStoredEvents(hub.pool, 'tokens');
      await expect(send(TOKENS_COMMANDS.RecordIssuedTokens, { grants: batch })).resolves.toEqual({ appended: 3 });
      // Replayed whole, at once twice more, and overlapping a new grant: nothing appended twice.
      const extra = { ...batch[0], event: { ...batch[0].event, tokenId: randomUUID() } };
      const replays = await Promise.all([
        send(TOKENS_COMMANDS.RecordIssuedTokens, { grants: batch }),
        send(TOKENS_COMMANDS.RecordIssuedTokens, { grants: [...batch, extra] }),
        send(TOKENS_COMMANDS.RecordIssuedTokens, { grants: [extra, extra] }),
      ]);
      expect(replays.reduce<number>((sum, r) => sum + (r as { appended: number }).appended, 0)).toBe(1);
      expect(await countStoredEvents(hub.pool, 'tokens')).toBe(before + 4);
      const stored = (await storedEvents(hub.pool, 'tokens')).filter((e) => batch.some((b) => e.streamId === `token-${b.event.tokenId}`));
      expect(stored.map((e) => [e.type, e.streamVersion, e.metadata.requestId, e.metadata.sourceIp])).toEqual(
        batch.map((b) => [TOKENS_EVENTS.TokenIssued, 1, b.metadata.requestId, '198.51.100.7']),
      );
      await probe.ofStream(`token-${batch[2].event.tokenId}`, 1);
    });

    it('dates each TokenIssued when the gateway signed it, never later than its arrival', async () => {
      const record = (issuedAt: string) => ({
        event: { tokenId: randomUUID(), repository: 'alice_01/web', repositoryId: web, access: 'read', username: 'alice_01', expiresAt: new Date().toISOString(), kid: gateway.kid },
        metadata: { correlationId: 'c', actor: 'user:alice_01' },
        issuedAt,
      });
      const earlier = new Date(Date.now() - 60_000).toISOString();
      const [signedEarlier, claimsFuture] = [record(earlier), record(new Date(Date.now() + 3_600_000).toISOString())];
      const sent = Date.now();
      await expect(send(TOKENS_COMMANDS.RecordIssuedTokens, { grants: [signedEarlier, claimsFuture] })).resolves.toEqual({ appended: 2 });
      const at = new Map((await storedEvents(hub.pool, 'tokens')).map((e) => [e.streamId, e.metadata.occurredAt]));
      expect(at.get(`token-${signedEarlier.event.tokenId}`)).toBe(earlier);
      const clamped = Date.parse(String(at.get(`token-${claimsFuture.event.tokenId}`)));
      expect(clamped).toBeGreaterThanOrEqual(sent - 1000);
      expect(clamped).toBeLessThanOrEqual(Date.now());
    });

    it('refuses a malformed batch (no token id) and appends nothing', async () => {
      const before = await countStoredEvents(hub.pool, 'tokens');
      const error = await failure(TOKENS_COMMANDS.RecordIssuedTokens, {
        grants: [{ event: { repository: 'alice_01/web', repositoryId: web, access: 'read', username: null, expiresAt: new Date().toISOString() }, metadata: { correlationId: 'c', actor: 'anonymous' } }],
      });
      expect(error.code).toBe('invalid');
      expect(await countStoredEvents(hub.pool, 'tokens')).toBe(before);
    });
  });

  it.each([
    [
      'an unknown access',
      TOKENS_COMMANDS.IssueToken,
      { repository: 'alice_01/web', repositoryId: 'web', access: 'admin', user: null },
    ],
    [
      'a missing repository id',
      TOKENS_COMMANDS.IssueToken,
      { repository: 'alice_01/web', access: 'write', user: null },
    ],
    [
      'a credentials version that is not an integer',
      TOKENS_COMMANDS.IssueToken,
      {
        repository: 'alice_01/web',
        repositoryId: 'web',
        access: 'write',
        user: { username: 'alice_01', credentialsVersion: '1' },
      },
    ],
    [
      'an unknown field',
      TOKENS_COMMANDS.IssueToken,
      {
        repository: 'alice_01/web',
        repositoryId: 'web',
        access: 'write',
        user: null,
        expiresAt: 99999999999,
      },
    ],
    [
      'a token that is not a string',
      TOKENS_COMMANDS.ValidateToken,
      { token: 42, repository: 'alice_01/web', access: 'read' },
    ],
  ])(
    'a malformed command (%s) gets the typed invalid error and appends nothing',
    async (_case, pattern, payload) => {
      const before = await countStoredEvents(hub.pool, 'tokens');
      const error = await failure(
        pattern,
        JSON.parse(JSON.stringify(payload).replace(/"web"/g, JSON.stringify(web))),
      );
      expect({ name: error.name, code: error.code, message: error.message }).toMatchObject({
        name: 'DomainError',
        code: 'invalid',
      });
      expect(isDomainError(error)).toBe(true);
      expect(error.message).toMatch(/^Invalid command: /);
      expect(await countStoredEvents(hub.pool, 'tokens')).toBe(before);
    },
  );
});
