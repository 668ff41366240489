import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { PROJECTION_CONSUMERS, projectionConsumers } from '../projection-consumers';
import { AuditMessageController } from './audit.message-controller';

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
      ],
    };
  }
}
