import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { EventStore, HandledCommands, ownerStreamReader } from '@dockyard/eventstore';
import { HANDLED_COMMANDS, HUB_RUNTIME, HubRuntime, ServiceStore, ownStoreMessageController } from '@dockyard/runtime';
import { TokensHandlers } from './application/tokens.handlers';
import { IssuedTokensLog } from './infrastructure/issued-tokens.log';
import { Revocations, TOKENS_SCHEMA } from './infrastructure/revocations';
import { loadTokenKeys } from './infrastructure/token-keys.loader';
import {
  CreateMembershipRevocations1732400030400,
  CreateNamespaceRevocations1732400031000,
  CreateTokenTables1732400005000,
} from './infrastructure/tokens.migrations';
import { TokensMessageController } from './tokens.message-controller';

/** The tokens service: repository access tokens, their expiry and revocation. */
@Module({})
export class TokensModule {
  /** Its transport: the commands it answers and the consumer group of its event handlers. */
  static readonly transport: BusServerOptions = { service: 'tokens', group: 'tokens' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    const pool = runtime.pool('tokens');
    const store = new ServiceStore(runtime, { service: 'tokens', schema: TOKENS_SCHEMA, migrations: [CreateTokenTables1732400005000, CreateMembershipRevocations1732400030400, CreateNamespaceRevocations1732400031000] });
    return {
      module: TokensModule,
      controllers: [TokensMessageController, ownStoreMessageController('tokens', TOKENS_SCHEMA)],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: HANDLED_COMMANDS, useFactory: () => new HandledCommands(runtime.pool('tokens'), TOKENS_SCHEMA) },
        { provide: ServiceStore, useValue: store },
        {
          provide: Revocations,
          useFactory: () =>
            new Revocations(pool, {
              readStream: ownerStreamReader(runtime.bus, 'revocations'),
              logger: runtime.logger.child({ component: 'revocations' }),
            }),
        },
        {
          provide: TokensHandlers,
          // The signing key lives in the tokens schema: read it once the schema is migrated.
          useFactory: async (revocations: Revocations) => {
            await store.migrated();
            return new TokensHandlers(
              await loadTokenKeys(pool, process.env.DOCKYARD_TOKEN_KEY),
              revocations,
              new EventStore(pool, TOKENS_SCHEMA),
              new IssuedTokensLog(pool),
              runtime.config.tokenTtlSeconds,
            );
          },
          inject: [Revocations],
        },
      ],
    };
  }
}
