import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { ActivityInbox } from './activity/activity-inbox';
import { PROJECTION_CONSUMERS, projectionConsumers } from './projection-consumers';
import { ProjectionsMessageController } from './projections.message-controller';
import { ReadModels } from './read-models';

/** The projector: read models folded from every service's published events. */
@Module({})
export class ProjectorModule {
  /** Its transport: the commands it answers and the consumer group of its event handlers. */
  static readonly transport: BusServerOptions = { group: 'projector' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    return {
      module: ProjectorModule,
      controllers: [ProjectionsMessageController],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        {
          provide: ActivityInbox,
          useFactory: () => new ActivityInbox(runtime.pool('read'), { logger: runtime.logger.child({ component: 'activity-inbox' }) }),
        },
        { provide: ReadModels, inject: [ActivityInbox], useFactory: (inbox: ActivityInbox) => new ReadModels(runtime, inbox) },
        { provide: PROJECTION_CONSUMERS, useFactory: () => projectionConsumers(runtime) },
      ],
    };
  }
}
