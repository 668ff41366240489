import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { EventStore, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { AuthenticateHandler } from './application/authenticate.handler';
import { ConfirmEmailHandler } from './application/confirm-email.handler';
import { ensureBootstrapAdmin } from './application/bootstrap-admin';
import { ChangeRoleHandler } from './application/change-role.handler';
import { RegisterUserHandler } from './application/register-user.handler';
import { UpdateUserHandler } from './application/update-user.handler';
import { accountsCommandHandlers } from './accounts.message-controller';
import { CreateEmailClaims1732400001000 } from './infrastructure/accounts.migrations';
import { ConfirmationMailer } from './infrastructure/confirmation-mailer';
import { PasswordHasher } from './infrastructure/password-hasher';
import { ACCOUNTS_SCHEMA, UserRepository } from './infrastructure/user.repository';

/** The accounts service's life: migrate its schema, serve its commands, relay its events. */
@Injectable()
export class AccountsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private commands?: Subscription;
  private relay?: OutboxRelay;

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, bus, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'accounts'), ACCOUNTS_SCHEMA, [CreateEmailClaims1732400001000]);
    const pool = this.runtime.pool('accounts');
    const store = new EventStore(pool, ACCOUNTS_SCHEMA);
    const users = new UserRepository(store, pool);
    const hasher = new PasswordHasher();
    const mailer = new ConfirmationMailer({
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      mailDir: join(config.dataDir, 'mail'),
      logger: logger.child({ component: 'mail' }),
    });
    const settings = { requireConfirmation: config.requireConfirmation, publicUrl: config.publicUrl };

    for (const name of config.retiredRoleVariables) {
      logger.warn(
        `${name} grants nothing any more: the admin account comes from DOCKYARD_ADMIN_USERNAME and DOCKYARD_ADMIN_PASSWORD(_FILE), other roles from PUT /v1/admin/users/(username)/roles/(role)`,
      );
    }
    await ensureBootstrapAdmin(users, hasher, { username: config.adminUsername, password: config.adminPassword }, logger);
    this.relay = new OutboxRelay({
      pool,
      schema: ACCOUNTS_SCHEMA,
      source: 'accounts',
      publish: (events) => bus.publish('accounts', events),
      logger: logger.child({ component: 'accounts-relay' }),
    });
    await this.relay.start();
    this.commands = await bus.serveCommands(
      'accounts',
      accountsCommandHandlers({
        register: new RegisterUserHandler(users, hasher, mailer, settings),
        authenticate: new AuthenticateHandler(users, hasher),
        update: new UpdateUserHandler(users, hasher),
        confirm: new ConfirmEmailHandler(users),
        changeRole: new ChangeRoleHandler(users),
      }),
    );
    logger.info('accounts service ready');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.commands?.close();
    await this.relay?.stop();
  }
}
