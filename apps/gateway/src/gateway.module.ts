import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { Authenticator } from './auth/authenticator';
import { CredentialCache } from './auth/credential-cache';
import { FailedLoginLimiter } from './auth/failed-login-limiter';
import { GATEWAY } from './gateway.tokens';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsHttpController } from './metrics/metrics.http-controller';
import { timedBus } from './metrics/timed-bus';
import { ReadYourWrites } from './http/read-your-writes';
import { PingHttpController } from './registry/ping.http-controller';
import { UsersHttpController } from './users/users.http-controller';
import { UsersReadModel } from './users/users.read-model';
import { RepositoryAccess } from './auth/repository-access';
import { IndexHeaders } from './repositories/index-headers';
import { RepositoriesReadModel } from './repositories/repositories.read-model';
import { RepositoryImagesHttpController } from './repositories/repository-images.http-controller';
import { RepositoryIndexHttpController } from './repositories/repository-index.http-controller';
import { TagsHttpController } from './repositories/tags.http-controller';

@Module({})
export class GatewayModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    const readPool = runtime.pool('read');
    const metrics = new GatewayMetrics();
    const bus = timedBus(runtime.bus, metrics);
    const authenticator = new Authenticator(
      bus,
      new UsersReadModel(readPool),
      new CredentialCache(runtime.config.credentialCacheKey),
      new FailedLoginLimiter(),
    );
    return {
      module: GatewayModule,
      // Tags and images before the index routes: their static path words must win over `:second`.
      controllers: [
        PingHttpController,
        MetricsHttpController,
        UsersHttpController,
        TagsHttpController,
        RepositoryImagesHttpController,
        RepositoryIndexHttpController,
      ],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: GATEWAY.bus, useValue: bus },
        { provide: GATEWAY.metrics, useValue: metrics },
        {
          provide: GATEWAY.authenticator,
          useValue: authenticator,
        },
        { provide: GATEWAY.repositories, useValue: new RepositoriesReadModel(readPool) },
        { provide: GATEWAY.repositoryAccess, useValue: new RepositoryAccess(bus, authenticator) },
        { provide: GATEWAY.indexHeaders, useValue: new IndexHeaders(bus, runtime.config.registryEndpoints) },
        {
          provide: GATEWAY.readYourWrites,
          useValue: new ReadYourWrites(readPool, runtime.config.readYourWritesTimeoutMs, runtime.logger, metrics),
        },
      ],
    };
  }
}
