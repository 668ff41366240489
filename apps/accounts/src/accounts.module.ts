import { join } from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { EventStore, HandledCommands } from '@dockyard/eventstore';
import { HANDLED_COMMANDS, HUB_RUNTIME, HubRuntime, ServiceStore, ownStoreMessageController } from '@dockyard/runtime';
import { AccountsMessageController } from './accounts.message-controller';
import { ACCOUNTS_SETTINGS, AccountsSettings } from './application/accounts.settings';
import { AuthenticateHandler } from './application/authenticate.handler';
import { ensureBootstrapAdmin } from './application/bootstrap-admin';
import { ChangeRoleHandler } from './application/change-role.handler';
import { ConfirmEmailHandler } from './application/confirm-email.handler';
import { RegisterUserHandler } from './application/register-user.handler';
import { OrganizationHandlers } from './application/organization.handlers';
import { UpdateUserHandler } from './application/update-user.handler';
import { CreateEmailClaims1732400001000, CreateNamespaceClaims1732400030300 } from './infrastructure/accounts.migrations';
import { OrganizationStore } from './infrastructure/organization.store';
import { ConfirmationMailer } from './infrastructure/confirmation-mailer';
import { PasswordHasher } from './infrastructure/password-hasher';
import { ACCOUNTS_SCHEMA, UserRepository } from './infrastructure/user.repository';

/**
 * The accounts service: users, their credentials, e-mails and roles; organizations and their teams
 * (a namespace name is a user's or an organization's, never both). Its use cases are plain
 * classes (application/), built here; the message controller routes the commands to them.
 */
@Module({})
export class AccountsModule {
  /** Its transport: the commands it answers and the consumer group of its event handlers. */
  static readonly transport: BusServerOptions = { service: 'accounts' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    const { config, logger } = runtime;
    return {
      module: AccountsModule,
      controllers: [AccountsMessageController, ownStoreMessageController('accounts', ACCOUNTS_SCHEMA)],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: HANDLED_COMMANDS, useFactory: () => new HandledCommands(runtime.pool('accounts'), ACCOUNTS_SCHEMA) },
        {
          provide: ACCOUNTS_SETTINGS,
          useValue: { requireConfirmation: config.requireConfirmation, publicUrl: config.publicUrl } satisfies AccountsSettings,
        },
        {
          provide: UserRepository,
          useFactory: () => new UserRepository(new EventStore(runtime.pool('accounts'), ACCOUNTS_SCHEMA), runtime.pool('accounts')),
        },
        { provide: PasswordHasher, useFactory: () => new PasswordHasher() },
        {
          provide: ConfirmationMailer,
          useFactory: () =>
            new ConfirmationMailer({
              smtpUrl: config.smtpUrl,
              from: config.mailFrom,
              mailDir: join(config.dataDir, 'mail'),
              logger: logger.child({ component: 'mail' }),
            }),
        },
        {
          provide: RegisterUserHandler,
          useFactory: (users: UserRepository, hasher: PasswordHasher, mailer: ConfirmationMailer, settings: AccountsSettings) =>
            new RegisterUserHandler(users, hasher, mailer, settings),
          inject: [UserRepository, PasswordHasher, ConfirmationMailer, ACCOUNTS_SETTINGS],
        },
        {
          provide: AuthenticateHandler,
          useFactory: (users: UserRepository, hasher: PasswordHasher) => new AuthenticateHandler(users, hasher),
          inject: [UserRepository, PasswordHasher],
        },
        {
          provide: UpdateUserHandler,
          useFactory: (users: UserRepository, hasher: PasswordHasher) => new UpdateUserHandler(users, hasher),
          inject: [UserRepository, PasswordHasher],
        },
        { provide: ConfirmEmailHandler, useFactory: (users: UserRepository) => new ConfirmEmailHandler(users), inject: [UserRepository] },
        { provide: ChangeRoleHandler, useFactory: (users: UserRepository) => new ChangeRoleHandler(users), inject: [UserRepository] },
        {
          provide: OrganizationHandlers,
          useFactory: () =>
            new OrganizationHandlers(new OrganizationStore(new EventStore(runtime.pool('accounts'), ACCOUNTS_SCHEMA), runtime.pool('accounts'))),
        },
        {
          provide: ServiceStore,
          useFactory: (users: UserRepository, hasher: PasswordHasher) =>
            new ServiceStore(runtime, {
              service: 'accounts',
              schema: ACCOUNTS_SCHEMA,
              migrations: [CreateEmailClaims1732400001000, CreateNamespaceClaims1732400030300],
              afterMigrations: async () => {
                for (const name of config.retiredRoleVariables) {
                  logger.warn(
                    `${name} grants nothing any more: the admin account comes from DOCKYARD_ADMIN_USERNAME and DOCKYARD_ADMIN_PASSWORD(_FILE), other roles from PUT /v1/admin/users/(username)/roles/(role)`,
                  );
                }
                await ensureBootstrapAdmin(users, hasher, { username: config.adminUsername, password: config.adminPassword }, logger);
              },
            }),
          inject: [UserRepository, PasswordHasher],
        },
      ],
    };
  }
}
