import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { ProjectorService } from './projector.service';

@Module({})
export class ProjectorModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    return { module: ProjectorModule, providers: [{ provide: HUB_RUNTIME, useValue: runtime }, ProjectorService] };
  }
}
