import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { RepositoriesService } from './repositories.service';

@Module({})
export class RepositoriesModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    return { module: RepositoriesModule, providers: [{ provide: HUB_RUNTIME, useValue: runtime }, RepositoriesService] };
  }
}
