import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HealthModule, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { HotReads, HotReadsLifecycle, hotViewEntries } from './hot/hot-reads';
import { ReadModelChanges, SoleGateway } from './hot/read-model-changes';
import { RolesHttpController } from './admin/roles.http-controller';
import { AuditAccess } from './audit/audit-access';
import { AuditSigningKey } from './audit/audit-signing-key';
import { AuditHttpController } from './audit/audit.http-controller';
import { AuditReadModel } from './audit/audit.read-model';
import { Authenticator } from './auth/authenticator';
import { CredentialCache } from './auth/credential-cache';
import { FailedLoginLimiter } from './auth/failed-login-limiter';
import { LoginActivity } from './auth/login-activity';
import { GATEWAY } from './gateway.tokens';
import { blobStoreFromEnvironment } from '@dockyard/blobstore';
import { ImageAccess } from './registry/image-access';
import { ImagesReadModel } from './registry/images.read-model';
import { RegistryImagesHttpController } from './registry/registry-images.http-controller';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsHttpController } from './metrics/metrics.http-controller';
import { timedBus } from './metrics/timed-bus';
import { ActivityBatcher, BusClient } from '@dockyard/messaging';
import { ReadYourWrites } from './http/read-your-writes';
import { PingHttpController } from './registry/ping.http-controller';
import { UsersHttpController } from './users/users.http-controller';
import { UsersReadModel } from './users/users.read-model';
import { RepositoryAccess } from './auth/repository-access';
import { IssuedTokensAudit } from './auth/issued-tokens-audit';
import { GatewayTokens, gatewayTokensFromEnvironment } from './auth/gateway-tokens';
import { IndexHeaders } from './repositories/index-headers';
import { RepositoriesReadModel } from './repositories/repositories.read-model';
import { RepositoryImagesHttpController } from './repositories/repository-images.http-controller';
import { RepositoryIndexHttpController } from './repositories/repository-index.http-controller';
import { TagsHttpController } from './repositories/tags.http-controller';
import { OrganizationsHttpController } from './organizations/organizations.http-controller';
import { OrganizationsReadModel } from './organizations/organizations.read-model';
import { SearchHttpController } from './search/search.http-controller';
import { SearchReadModel } from './search/search.read-model';
import { StarsHttpController } from './stars/stars.http-controller';
import { StarsReadModel } from './stars/stars.read-model';

@Module({})
export class GatewayModule {
  /** `sole`: this gateway is its database's only one (the standalone hub; see SoleGateway). */
  static forRuntime(runtime: HubRuntime, sole?: SoleGateway): DynamicModule {
    const readPool = runtime.pool('read');
    const metrics = new GatewayMetrics();
    const bus = timedBus(runtime.bus, metrics);
    const activity = new ActivityBatcher((a) => bus.recordActivity(a), { flushMs: runtime.config.activityFlushMs, maxEntries: 500 });
    const clients = {
      accounts: new BusClient(bus, 'accounts', activity),
      repositories: new BusClient(bus, 'repositories', activity),
      images: new BusClient(bus, 'images', activity),
      tokens: new BusClient(bus, 'tokens', activity),
    };
    // The hot read path: read-model rows in memory, kept true by the projector's notifications.
    const changes = new ReadModelChanges(databaseUrlFor(runtime.config, 'read'), runtime.logger.child({ component: 'hot-view' }), undefined, sole);
    const hot = new HotReads(changes, hotViewEntries());
    const users = new UsersReadModel(readPool, hot);
    const authenticator = new Authenticator(
      clients.accounts,
      users,
      new CredentialCache(runtime.config.credentialCacheKey),
      new FailedLoginLimiter(),
      new LoginActivity(clients.accounts),
      metrics,
    );
    const repositories = new RepositoriesReadModel(readPool, hot);
    const organizations = new OrganizationsReadModel(readPool);
    const tokens = gatewayTokensFromEnvironment(
      process.env.DOCKYARD_TOKEN_KEY,
      () => new IssuedTokensAudit(clients.tokens, { logger: runtime.logger.child({ component: 'issued-tokens-audit' }) }),
      runtime.config.tokenTtlSeconds,
    );
    const repositoryAccess = new RepositoryAccess(clients.tokens, authenticator, repositories, users, organizations, tokens);
    const images = new ImagesReadModel(readPool, hot);
    const audit = new AuditReadModel(readPool);
    return {
      module: GatewayModule,
      // /healthz and /readyz on the public port too (a load balancer's probe); /metrics stays admin-only here.
      imports: [HealthModule.forRuntime(runtime, { metrics: false })],
      // Tags and images before the index routes: their static path words must win over `:second`.
      controllers: [
        PingHttpController,
        MetricsHttpController,
        RegistryImagesHttpController,
        UsersHttpController,
        RolesHttpController,
        SearchHttpController,
        StarsHttpController,
        OrganizationsHttpController,
        AuditHttpController,
        TagsHttpController,
        RepositoryImagesHttpController,
        RepositoryIndexHttpController,
      ],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: HotReadsLifecycle, useValue: new HotReadsLifecycle(changes) },
        { provide: GATEWAY.clients.accounts, useValue: clients.accounts },
        { provide: GATEWAY.clients.repositories, useValue: clients.repositories },
        { provide: GATEWAY.clients.images, useValue: clients.images },
        { provide: GATEWAY.clients.tokens, useValue: clients.tokens },
        { provide: GATEWAY.metrics, useValue: metrics },
        // A provider so that Nest's shutdown flushes it (onModuleDestroy) while the bus is still open.
        { provide: ActivityBatcher, useValue: activity },
        ...(tokens ? [{ provide: GatewayTokens, useValue: tokens }] : []),
        {
          provide: GATEWAY.authenticator,
          useValue: authenticator,
        },
        { provide: GATEWAY.repositories, useValue: repositories },
        { provide: GATEWAY.repositoryAccess, useValue: repositoryAccess },
        { provide: GATEWAY.images, useValue: images },
        { provide: GATEWAY.search, useValue: new SearchReadModel(readPool) },
        { provide: GATEWAY.stars, useValue: new StarsReadModel(readPool) },
        { provide: GATEWAY.organizations, useValue: organizations },
        { provide: GATEWAY.imageAccess, useValue: new ImageAccess(authenticator, repositoryAccess, repositories, images) },
        { provide: GATEWAY.audit, useValue: audit },
        { provide: GATEWAY.auditAccess, useValue: new AuditAccess(authenticator, audit) },
        { provide: GATEWAY.auditSigningKey, useValue: new AuditSigningKey(readPool, runtime.config.auditSigningKey) },
        { provide: GATEWAY.blobs, useValue: blobStoreFromEnvironment(runtime.config.dataDir) },
        { provide: GATEWAY.indexHeaders, useValue: new IndexHeaders(clients.tokens, clients.repositories, runtime.config.registryEndpoints, metrics, tokens) },
        {
          provide: GATEWAY.readYourWrites,
          useValue: new ReadYourWrites(readPool, runtime.config.readYourWritesTimeoutMs, metrics, changes),
        },
      ],
    };
  }
}
