import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { Authenticator } from './auth/authenticator';
import { CredentialCache } from './auth/credential-cache';
import { FailedLoginLimiter } from './auth/failed-login-limiter';
import { GATEWAY } from './gateway.tokens';
import { ReadYourWrites } from './http/read-your-writes';
import { PingHttpController } from './registry/ping.http-controller';
import { UsersHttpController } from './users/users.http-controller';
import { UsersReadModel } from './users/users.read-model';

@Module({})
export class GatewayModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    const readPool = runtime.pool('read');
    return {
      module: GatewayModule,
      controllers: [PingHttpController, UsersHttpController],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: GATEWAY.bus, useValue: runtime.bus },
        {
          provide: GATEWAY.authenticator,
          useValue: new Authenticator(
            runtime.bus,
            new UsersReadModel(readPool),
            new CredentialCache(runtime.config.credentialCacheKey),
            new FailedLoginLimiter(),
          ),
        },
        {
          provide: GATEWAY.readYourWrites,
          useValue: new ReadYourWrites(readPool, runtime.config.readYourWritesTimeoutMs, runtime.logger),
        },
      ],
    };
  }
}
