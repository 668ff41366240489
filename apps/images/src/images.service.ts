import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { IMAGE_COMMANDS, IMAGES_COMMANDS } from '@dockyard/contracts';
import { EventStore, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { Subscription } from '@dockyard/messaging';
import { HUB_RUNTIME, HubRuntime, databaseUrlFor } from '@dockyard/runtime';
import { ImageHandlers } from './application/image.handlers';
import { ImagesHandlers } from './application/images.handlers';
import { CreateKnownRepositories1732400004000 } from './infrastructure/images.migrations';
import { KnownRepositories } from './infrastructure/known-repositories';
import { IMAGES_SCHEMA, ImageStore, RepositoryImagesStore } from './infrastructure/repository-images.store';

/** The images service: per repository, the image list (index) and the tags; per (namespace, id), the image. */
@Injectable()
export class ImagesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly subscriptions: Subscription[] = [];
  private relay?: OutboxRelay;

  constructor(@Inject(HUB_RUNTIME) private readonly runtime: HubRuntime) {}

  async onApplicationBootstrap(): Promise<void> {
    const { config, bus, logger } = this.runtime;
    await runMigrations(databaseUrlFor(config, 'images'), IMAGES_SCHEMA, [CreateKnownRepositories1732400004000]);
    const pool = this.runtime.pool('images');
    const known = new KnownRepositories(pool, config.readYourWritesTimeoutMs);
    this.subscriptions.push(
      await bus.subscribe('images', ['repositories'], async (event) => {
        await known.apply(event);
      }),
    );
    this.relay = new OutboxRelay({
      pool,
      schema: IMAGES_SCHEMA,
      source: 'images',
      publish: (events) => bus.publish('images', events),
      logger: logger.child({ component: 'images-relay' }),
    });
    await this.relay.start();
    const store = new EventStore(pool, IMAGES_SCHEMA);
    const handlers = new ImagesHandlers(new RepositoryImagesStore(store), known);
    const images = new ImageHandlers(new ImageStore(store));
    this.subscriptions.push(
      await bus.serveCommands('images', {
        [IMAGES_COMMANDS.UpdateIndex]: (payload, metadata) => handlers.updateIndex(payload as never, metadata),
        [IMAGES_COMMANDS.SetTag]: (payload, metadata) => handlers.setTag(payload as never, metadata),
        [IMAGES_COMMANDS.DeleteTag]: (payload, metadata) => handlers.deleteTag(payload as never, metadata),
        [IMAGE_COMMANDS.StoreJson]: (payload, metadata) => images.storeJson(payload as never, metadata),
        [IMAGE_COMMANDS.RecordLayer]: (payload, metadata) => images.recordLayer(payload as never, metadata),
        [IMAGE_COMMANDS.VerifyChecksum]: (payload, metadata) => images.verifyChecksum(payload as never, metadata),
        [IMAGE_COMMANDS.MountImage]: (payload, metadata) => images.mountImage(payload as never, metadata),
      }),
    );
    logger.info('images service ready');
  }

  async onApplicationShutdown(): Promise<void> {
    for (const subscription of this.subscriptions.splice(0)) await subscription.close();
    await this.relay?.stop();
  }
}
