import { DynamicModule, Module } from '@nestjs/common';
import { BusServerOptions } from '@dockyard/messaging';
import { EventStore, HandledCommands, ownerStreamReader } from '@dockyard/eventstore';
import { HANDLED_COMMANDS, HUB_RUNTIME, HubRuntime, ServiceStore, ownStoreMessageController } from '@dockyard/runtime';
import { ImageHandlers } from './application/image.handlers';
import { ImagesHandlers } from './application/images.handlers';
import { ImagesMessageController } from './images.message-controller';
import { CreateKnownRepositories1732400004000 } from './infrastructure/images.migrations';
import { KnownRepositories } from './infrastructure/known-repositories';
import { IMAGES_SCHEMA, ImageStore, RepositoryImagesStore } from './infrastructure/repository-images.store';

/** The images service: per repository, the image list (index) and the tags; per (namespace, id), the image. */
@Module({})
export class ImagesModule {
  /** Its transport: the commands it answers and the consumer group of its event handlers. */
  static readonly transport: BusServerOptions = { service: 'images', group: 'images' };

  static forRuntime(runtime: HubRuntime): DynamicModule {
    const pool = runtime.pool('images');
    return {
      module: ImagesModule,
      controllers: [ImagesMessageController, ownStoreMessageController('images', IMAGES_SCHEMA)],
      providers: [
        { provide: HUB_RUNTIME, useValue: runtime },
        { provide: HANDLED_COMMANDS, useFactory: () => new HandledCommands(runtime.pool('images'), IMAGES_SCHEMA) },
        { provide: EventStore, useFactory: () => new EventStore(pool, IMAGES_SCHEMA) },
        {
          provide: KnownRepositories,
          useFactory: () =>
            new KnownRepositories(pool, runtime.config.readYourWritesTimeoutMs, {
              readStream: ownerStreamReader(runtime.bus, 'known-repositories'),
              logger: runtime.logger.child({ component: 'known-repositories' }),
            }),
        },
        {
          provide: ImagesHandlers,
          useFactory: (store: EventStore, known: KnownRepositories) => new ImagesHandlers(new RepositoryImagesStore(store), known),
          inject: [EventStore, KnownRepositories],
        },
        { provide: ImageHandlers, useFactory: (store: EventStore) => new ImageHandlers(new ImageStore(store)), inject: [EventStore] },
        {
          provide: ServiceStore,
          useValue: new ServiceStore(runtime, {
            service: 'images',
            schema: IMAGES_SCHEMA,
            migrations: [CreateKnownRepositories1732400004000],
          }),
        },
      ],
    };
  }
}
