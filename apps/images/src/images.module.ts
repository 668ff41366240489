import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { ImagesService } from './images.service';

@Module({})
export class ImagesModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    return { module: ImagesModule, providers: [{ provide: HUB_RUNTIME, useValue: runtime }, ImagesService] };
  }
}
