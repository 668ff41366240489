import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { TokensService } from './tokens.service';

@Module({})
export class TokensModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    return { module: TokensModule, providers: [{ provide: HUB_RUNTIME, useValue: runtime }, TokensService] };
  }
}
