import { DynamicModule, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PROJECTIONS } from '@dockyard/contracts';
import { BusServerOptions } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { PROJECTION_CONSUMERS, ProjectionConsumers, projectionConsumers } from '../projection-consumers';
import { AuditFeedTurn } from './audit-feed-turn';
import { AuditActivityThread } from './audit-activity-thread';
import { AuditInbox } from './audit-inbox';
import { AuditMessageController } from './audit.message-controller';

/** The activity thread's pool: its writer's batch, and a message kept meanwhile. */
const ACTIVITY_THREAD_CONNECTIONS = 2;

/** The inbox's writer and the activity thread run while the audit consumes: they start with the module and finish their batch on shutdown. */
class AuditInboxLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly inbox: AuditInbox,
    private readonly activityThread: AuditActivityThread,
  ) {}

  onApplicationBootstrap(): void {
    this.inbox.start();
    this.activityThread.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.activityThread.close(), this.inbox.close()]);
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
              // Activity messages are the activity thread's (AuditActivityThread).
              takes: { events: true, activity: false },
              logger: runtime.logger.child({ component: 'audit-inbox' }),
            }),
        },
        {
          provide: AuditActivityThread,
          useFactory: () =>
            new AuditActivityThread(
              { databaseUrl: databaseUrlFor(runtime.config, 'read'), poolSize: ACTIVITY_THREAD_CONNECTIONS },
              runtime.logger.child({ component: 'audit-activity-thread' }),
            ),
        },
        {
          provide: AuditInboxLifecycle,
          inject: [AuditInbox, AuditActivityThread],
          useFactory: (inbox: AuditInbox, thread: AuditActivityThread) => new AuditInboxLifecycle(inbox, thread),
        },
      ],
    };
  }
}
