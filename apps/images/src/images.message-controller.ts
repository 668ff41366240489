import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { IMAGE_COMMANDS, IMAGES_COMMANDS, PublishedEvent, REPOSITORIES_EVENTS, RETRY_PARKED_COMMANDS } from '@dockyard/contracts';
import { RetryParkedDto } from '@dockyard/eventstore';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce } from '@dockyard/runtime';
import { ImageHandlers } from './application/image.handlers';
import { ImagesHandlers } from './application/images.handlers';
import { DeleteTagDto, MountImageDto, RecordLayerDto, SetTagDto, StoreImageJsonDto, UpdateIndexDto, VerifyChecksumDto } from './images.commands.dto';
import { KnownRepositories } from './infrastructure/known-repositories';

/**
 * The images service's commands — per repository (image list, tags) and per image (json, layer,
 * checksum, mount) — and the repositories' facts it keeps to refuse work on dead repositories.
 */
@Controller()
export class ImagesMessageController {
  constructor(
    private readonly index: ImagesHandlers,
    private readonly images: ImageHandlers,
    private readonly known: KnownRepositories,
  ) {}

  @MessagePattern(IMAGES_COMMANDS.UpdateIndex)
  @ExecuteOnce()
  updateIndex(@Payload() command: UpdateIndexDto, @Ctx() context: BusContext) {
    return this.index.updateIndex(command, context.getMetadata());
  }

  @MessagePattern(IMAGES_COMMANDS.SetTag)
  @ExecuteOnce()
  setTag(@Payload() command: SetTagDto, @Ctx() context: BusContext) {
    return this.index.setTag(command, context.getMetadata());
  }

  @MessagePattern(IMAGES_COMMANDS.DeleteTag)
  @ExecuteOnce()
  deleteTag(@Payload() command: DeleteTagDto, @Ctx() context: BusContext) {
    return this.index.deleteTag(command, context.getMetadata());
  }

  @MessagePattern(IMAGE_COMMANDS.StoreJson)
  @ExecuteOnce()
  storeJson(@Payload() command: StoreImageJsonDto, @Ctx() context: BusContext) {
    return this.images.storeJson(command, context.getMetadata());
  }

  @MessagePattern(IMAGE_COMMANDS.RecordLayer)
  @ExecuteOnce()
  recordLayer(@Payload() command: RecordLayerDto, @Ctx() context: BusContext) {
    return this.images.recordLayer(command, context.getMetadata());
  }

  @MessagePattern(IMAGE_COMMANDS.VerifyChecksum)
  @ExecuteOnce()
  verifyChecksum(@Payload() command: VerifyChecksumDto, @Ctx() context: BusContext) {
    return this.images.verifyChecksum(command, context.getMetadata());
  }

  @MessagePattern(IMAGE_COMMANDS.MountImage)
  @ExecuteOnce()
  mountImage(@Payload() command: MountImageDto, @Ctx() context: BusContext) {
    return this.images.mountImage(command, context.getMetadata());
  }

  // Every repositories fact, not only the two it acts on: its checkpoint follows each stream version
  // by version, so a missing one is a gap to detect, not a type it chose to ignore.
  @EventPattern(Object.values(REPOSITORIES_EVENTS))
  async repositoryChanged(@Payload() event: PublishedEvent) {
    await this.known.apply(event);
  }

  /** Admin: retries the repositories' events parked by known-repositories (images.parked_events). */
  @MessagePattern(RETRY_PARKED_COMMANDS.images)
  retryParked(@Payload() command: RetryParkedDto) {
    return this.known.retryParked(command);
  }
}
