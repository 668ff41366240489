import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
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
        { provide: ReadModels, useValue: new ReadModels(runtime) },
        { provide: PROJECTION_CONSUMERS, useFactory: () => projectionConsumers(runtime) },
      ],
    };
  }
}
