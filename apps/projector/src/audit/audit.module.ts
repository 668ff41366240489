import { DynamicModule, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PROJECTIONS } from '@dockyard/contracts';
import { BusServerOptions } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { PROJECTION_CONSUMERS, ProjectionConsumers, projectionConsumers } from '../projection-consumers';
import { AuditFeedTurn } from './audit-feed-turn';
import { AuditInbox } from './audit-inbox';
import { AuditMessageController } from './audit.message-controller';

/** The inbox's writer runs while the audit consumes: it starts with the module and finishes its batch on shutdown. */
class AuditInboxLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly inbox: AuditInbox) {}

  onApplicationBootstrap(): void {
    this.inbox.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.inbox.close();
  }
}

/**
 * The audit projection as a microservice of its own in the projector's process (after the
 * ProjectorModule, which migrates schema `read`): its own consumer group.
 */
@Module({})
export class AuditModule {
  static readonly transport: BusServerOptions = { group: 'audit' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    return {
      module: AuditModule,
      controllers: [AuditMessageController],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: PROJECTION_CONSUMERS, useFactory: () => projectionConsumers(runtime) },
        { provide: AuditFeedTurn, useFactory: () => new AuditFeedTurn() },
        {
          provide: AuditInbox,
          inject: [PROJECTION_CONSUMERS, AuditFeedTurn],
          useFactory: (consumers: ProjectionConsumers, turn: AuditFeedTurn) =>
            new AuditInbox(runtime.pool('read'), (event) => turn.take(() => consumers[PROJECTIONS.audit].handle(event)), {
              turn,
              logger: runtime.logger.child({ component: 'audit-inbox' }),
            }),
        },
        { provide: AuditInboxLifecycle, inject: [AuditInbox], useFactory: (inbox: AuditInbox) => new AuditInboxLifecycle(inbox) },
      ],
    };
  }
}
