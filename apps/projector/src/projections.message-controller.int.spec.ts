import { randomUUID } from 'node:crypto';
import { INestMicroservice } from '@nestjs/common';
import { Client } from 'pg';
import { Test } from '@nestjs/testing';
import {
  ACCOUNTS_EVENTS,
  PublishedEvent,
  REPOSITORIES_EVENTS,
  repositoryStreamId,
  userStreamId,
} from '@dockyard/contracts';
import { READ_MODEL_CHANGES_CHANNEL, parseReadModelChange } from '@dockyard/eventstore';
import { BusServer } from '@dockyard/messaging';
import { configureBusMicroservice } from '@dockyard/runtime';
import { TestHub, createTestHub, publishedEvent, waitUntil } from '@dockyard/testing';
import { AuditModule } from './audit/audit.module';
import { ProjectorModule } from './projector.module';

/** The projector as Nest runs it: `@EventPattern` handlers folding bus events into schema `read`. */
describe('projections message controller (Nest microservice, PostgreSQL, InProcessBus)', () => {
  let hub: TestHub;
  let app: INestMicroservice;
  let audit: INestMicroservice | undefined;
  const web = randomUUID();
  const old = randomUUID();

  const user = (name: string, version: number, type: string, data: Record<string, unknown> = {}) =>
    publishedEvent('accounts', userStreamId(name), version, type, { username: name, ...data });
  const repo = (
    id: string,
    name: string,
    version: number,
    type: string,
    data: Record<string, unknown> = {},
  ) =>
    publishedEvent('repositories', repositoryStreamId(id), version, type, {
      repositoryId: id,
      namespace: 'ada_0001',
      name,
      ...data,
    });
  const created = {
    kind: 'user',
    createdBy: 'ada_0001',
    description: '',
    fullDescription: '',
    isPublic: true,
    logo: 'default-icon.jpg',
  };

  const accounts: PublishedEvent[] = [
    user('ada_0001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'ada@example.com', active: false }),
    user('ada_0001', 2, ACCOUNTS_EVENTS.EmailConfirmed, { email: 'ada@example.com' }),
    user('ada_0001', 3, ACCOUNTS_EVENTS.EmailAdded, { email: 'ada2@example.com' }),
    user('bert_001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'bert@example.com', active: true }),
    user('bert_001', 2, ACCOUNTS_EVENTS.RoleGranted, { role: 'auditor' }),
    user('bert_001', 3, ACCOUNTS_EVENTS.PasswordChanged, { credentialsVersion: 2 }),
  ];
  const repositories: PublishedEvent[] = [
    repo(web, 'web', 1, REPOSITORIES_EVENTS.RepositoryCreated, { ...created, description: 'first' }),
    repo(web, 'web', 2, REPOSITORIES_EVENTS.RepositoryUpdated, {
      changes: { description: 'second', isPublic: false },
    }),
    repo(old, 'old', 1, REPOSITORIES_EVENTS.RepositoryCreated, created),
    repo(old, 'old', 2, REPOSITORIES_EVENTS.RepositoryDeleted),
  ];

  beforeAll(async () => {
    hub = await createTestHub('projector');
    const moduleRef = await Test.createTestingModule({
      imports: [ProjectorModule.forRuntime(hub.runtime)],
    }).compile();
    app = moduleRef.createNestMicroservice({
      strategy: new BusServer(hub.bus, ProjectorModule.transport),
      logger: ['error'],
    });
    configureBusMicroservice(app);
    await app.listen();
    // The audit projection runs in the projector's process as a consumer group of its own.
    const auditRef = await Test.createTestingModule({ imports: [AuditModule.forRuntime(hub.runtime)] }).compile();
    audit = auditRef.createNestMicroservice({ strategy: new BusServer(hub.bus, AuditModule.transport), logger: ['error'] });
    configureBusMicroservice(audit);
    await audit.listen();
  });
  afterAll(async () => {
    await audit?.close();
    await app?.close();
    await hub?.close();
  });

  const rows = async (sql: string) => (await hub.pool.query(sql)).rows;
  const snapshot = async () => ({
    users: await rows(`SELECT * FROM read.users WHERE username <> 'cleo_001' ORDER BY username`),
    repositories: await rows('SELECT * FROM read.repositories ORDER BY name'),
    deleted: await rows('SELECT * FROM read.deleted_repositories'),
    checkpoints: await rows(
      `SELECT * FROM read.consumer_checkpoints WHERE stream_id <> 'user-cleo_001' ORDER BY consumer, stream_id`,
    ),
  });

  it('folds accounts and repositories events into read.users and read.repositories, once per stream version', async () => {
    await hub.bus.publish('accounts', accounts);
    await hub.bus.publish('repositories', repositories);
    const checkpoints = () =>
      rows(
        'SELECT consumer, stream_id, stream_version FROM read.consumer_checkpoints ORDER BY consumer, stream_id',
      );
    const versions = async () => (await checkpoints()).map((c) => c.stream_version).join();
    await waitUntil(async () => (await versions()) === '2,2,3,3,2,2,3,3' || undefined, { what: 'the projections' });
    expect(await checkpoints()).toEqual(
      [
        // the audit projection takes every event of every service, once per stream version too
        { consumer: 'audit', stream_id: `repository-${old}`, stream_version: 2 },
        { consumer: 'audit', stream_id: `repository-${web}`, stream_version: 2 },
        { consumer: 'audit', stream_id: 'user-ada_0001', stream_version: 3 },
        { consumer: 'audit', stream_id: 'user-bert_001', stream_version: 3 },
        { consumer: 'repositories', stream_id: `repository-${old}`, stream_version: 2 },
        { consumer: 'repositories', stream_id: `repository-${web}`, stream_version: 2 },
        { consumer: 'users', stream_id: 'user-ada_0001', stream_version: 3 },
        { consumer: 'users', stream_id: 'user-bert_001', stream_version: 3 },
      ].sort((a, b) => (a.consumer + a.stream_id).localeCompare(b.consumer + b.stream_id)),
    );

    expect(
      await rows(
        'SELECT username, emails, active, admin, auditor, credentials_version FROM read.users ORDER BY username',
      ),
    ).toEqual([
      {
        username: 'ada_0001',
        emails: ['ada@example.com', 'ada2@example.com'],
        active: true,
        admin: false,
        auditor: false,
        credentials_version: 1,
      },
      {
        username: 'bert_001',
        emails: ['bert@example.com'],
        active: true,
        admin: false,
        auditor: true,
        credentials_version: 2,
      },
    ]);
    expect(
      await rows(
        'SELECT repository_id, namespace, name, kind, created_by, description, is_public, logo FROM read.repositories ORDER BY name',
      ),
    ).toEqual([
      {
        repository_id: web,
        namespace: 'ada_0001',
        name: 'web',
        kind: 'user',
        created_by: 'ada_0001',
        description: 'second',
        is_public: false,
        logo: 'default-icon.jpg',
      },
    ]);
    expect(
      (await rows('SELECT repository_id FROM read.deleted_repositories')).map((r) => r.repository_id),
    ).toEqual([old]);
  });

  it('replaying the same events (at-least-once redelivery) changes nothing', async () => {
    const before = await snapshot();
    // Everything again, in order, then one new fact: once that is projected, the replay has been handled.
    await hub.bus.publish('repositories', repositories);
    await hub.bus.publish('accounts', [
      ...accounts,
      user('cleo_001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'cleo@example.com', active: true }),
    ]);
    await waitUntil(
      async () =>
        (await rows(`SELECT 1 FROM read.users WHERE username = 'cleo_001'`)).length === 1 || undefined,
      {
        what: 'the new user after the replay',
      },
    );
    // On Kafka every source is a topic of its own: a new repositories fact shows that topic's replay is handled too.
    await hub.bus.publish('repositories', [
      repo(web, 'web', 3, REPOSITORIES_EVENTS.RepositoryUpdated, { changes: { logo: 'new.png' } }),
    ]);
    await waitUntil(
      async () =>
        (await rows(`SELECT 1 FROM read.repositories WHERE logo = 'new.png'`)).length === 1 || undefined,
      {
        what: 'the new repository change after the replay',
      },
    );
    const after = await snapshot();
    expect(after.users).toEqual(before.users);
    expect(after.deleted).toEqual(before.deleted);
    expect(after.repositories).toEqual([
      { ...before.repositories[0], logo: 'new.png', updated_at: after.repositories[0].updated_at },
    ]);
    expect(after.checkpoints).toEqual(
      before.checkpoints.map((c) => (c.stream_id === `repository-${web}` ? { ...c, stream_version: 3 } : c)),
    );
  });

  it('announces what the gateways hold or wait on, never the audit: one event, a users notification and no audit one', async () => {
    const listener = new Client({ connectionString: hub.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => {
      const change = parseReadModelChange(message.payload);
      if (change?.kind === 'applied' && change.streamId === userStreamId('dora_001')) heard.push(change.consumer);
    });
    try {
      await listener.query(`LISTEN ${READ_MODEL_CHANGES_CHANNEL}`);
      await hub.bus.publish('accounts', [user('dora_001', 1, ACCOUNTS_EVENTS.UserRegistered, { email: 'dora@example.com', active: true })]);
      await waitUntil(
        async () =>
          (await rows(`SELECT 1 FROM read.consumer_checkpoints WHERE stream_id = 'user-dora_001' AND consumer IN ('users', 'audit')`)).length === 2 ||
          undefined,
        { what: 'the users and audit checkpoints of the new user' },
      );
      // A notification is delivered when its transaction commits: a round trip on the listening session after both commits has them all.
      await listener.query('SELECT 1');
      expect(heard).toEqual(['users']);
    } finally {
      await listener.end();
    }
  });
});
