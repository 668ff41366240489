import { DynamicModule, Module } from '@nestjs/common';
import { HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { AccountsService } from './accounts.service';

@Module({})
export class AccountsModule {
  static forRuntime(runtime: HubRuntime): DynamicModule {
    return {
      module: AccountsModule,
      providers: [{ provide: HUB_RUNTIME, useValue: runtime }, AccountsService],
    };
  }
}
