import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { TOKENS_COMMANDS } from '@dockyard/contracts';
import { EventStore, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { TokensHandlers } from './application/tokens.handlers';
import { Revocations } from './infrastructure/revocations';
import { TokenSigner } from './infrastructure/token-signer';
import { CreateTokenTables1732400005000 } from './infrastructure/tokens.migrations';

const TOKENS_SCHEMA = 'tokens';

/** The tokens service: repository access tokens, their expiry and revocation. */
@Injectable()
export class TokensService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];
  private relay?: OutboxRelay;

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, bus, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'tokens'), TOKENS_SCHEMA, [CreateTokenTables1732400005000]);
    const pool = this.runtime.pool('tokens');
    const revocations = new Revocations(pool);
    this.subscriptions.push(await bus.subscribe('tokens', ['repositories', 'accounts'], (e) => revocations.apply(e).then(() => undefined)));
    this.relay = new OutboxRelay({
      pool,
      schema: TOKENS_SCHEMA,
      source: 'tokens',
      publish: (events) => bus.publish('tokens', events),
      logger: logger.child({ component: 'tokens-relay' }),
    });
    await this.relay.start();
    const handlers = new TokensHandlers(
      await TokenSigner.load(pool, process.env.DOCKYARD_TOKEN_KEY),
      revocations,
      new EventStore(pool, TOKENS_SCHEMA),
      config.tokenTtlSeconds,
    );
    this.subscriptions.push(
      await bus.serveCommands('tokens', {
        [TOKENS_COMMANDS.IssueToken]: (payload, metadata) => handlers.issue(payload as never, metadata),
        [TOKENS_COMMANDS.ValidateToken]: (payload) => handlers.validate(payload as never),
      }),
    );
    logger.info('tokens service ready');
  }

  async onApplicationShutdown(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) await subscription.close();
    await this.relay?.stop();
  }
}
