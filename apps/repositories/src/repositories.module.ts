import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { EventStore, HandledCommands } from '@dockyard/eventstore';
import { HANDLED_COMMANDS, HUB_RUNTIME, HubRuntime, ServiceStore, ownStoreMessageController } from '@dockyard/runtime';
import { CreateRepositoryHandler } from './application/create-repository.handler';
import { DeleteRepositoryHandler } from './application/delete-repository.handler';
import { StarRepositoryHandler } from './application/star-repository.handler';
import { UpdateRepositoryHandler } from './application/update-repository.handler';
import { CreateNameClaims1732400003000 } from './infrastructure/repositories.migrations';
import { REPOSITORIES_SCHEMA, RepositoryStore } from './infrastructure/repository.store';
import { RepositoriesMessageController } from './repositories.message-controller';

/** The repositories service: owns repositories (names, visibility, descriptions, deletion) and users' stars on them. */
@Module({})
export class RepositoriesModule {
  /** Its transport: the commands it answers and the consumer group of its event handlers. */
  static readonly transport: BusServerOptions = { service: 'repositories' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    const useCase = <T>(make: (store: RepositoryStore) => T) => ({ useFactory: make, inject: [RepositoryStore] });
    return {
      module: RepositoriesModule,
      controllers: [RepositoriesMessageController, ownStoreMessageController('repositories', REPOSITORIES_SCHEMA)],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: HANDLED_COMMANDS, useFactory: () => new HandledCommands(runtime.pool('repositories'), REPOSITORIES_SCHEMA) },
        { provide: EventStore, useFactory: () => new EventStore(runtime.pool('repositories'), REPOSITORIES_SCHEMA) },
        {
          provide: RepositoryStore,
          useFactory: (events: EventStore) => new RepositoryStore(events, runtime.pool('repositories')),
          inject: [EventStore],
        },
        { provide: CreateRepositoryHandler, ...useCase((store) => new CreateRepositoryHandler(store)) },
        { provide: UpdateRepositoryHandler, ...useCase((store) => new UpdateRepositoryHandler(store)) },
        { provide: DeleteRepositoryHandler, ...useCase((store) => new DeleteRepositoryHandler(store)) },
        {
          provide: StarRepositoryHandler,
          useFactory: (store: RepositoryStore, events: EventStore) => new StarRepositoryHandler(store, events),
          inject: [RepositoryStore, EventStore],
        },
        {
          provide: ServiceStore,
          useValue: new ServiceStore(runtime, {
            service: 'repositories',
            schema: REPOSITORIES_SCHEMA,
            migrations: [CreateNameClaims1732400003000],
          }),
        },
      ],
    };
  }
}
