import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { READ_EVENTS_COMMANDS, READ_STREAM_COMMANDS, REPOSITORIES_COMMANDS, VERIFY_STREAMS_COMMANDS } from '@dockyard/contracts';
import { ReadEventsDto, ReadStreamDto, VerifyStreamsDto, readPublishedEvents, readPublishedStream, verifyOwnStreams } from '@dockyard/eventstore';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce, HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { CreateRepositoryHandler } from './application/create-repository.handler';
import { DeleteRepositoryHandler } from './application/delete-repository.handler';
import { StarRepositoryHandler } from './application/star-repository.handler';
import { UpdateRepositoryHandler } from './application/update-repository.handler';
import { REPOSITORIES_SCHEMA } from './infrastructure/repository.store';
import { CreateRepositoryDto, DeleteRepositoryDto, StarRepositoryDto, UpdateRepositoryDto } from './repositories.commands.dto';

/** The repositories service's commands (patterns from libs/contracts), each to its use case. */
@Controller()
export class RepositoriesMessageController {
  constructor(
    private readonly createRepository: CreateRepositoryHandler,
    private readonly updateRepository: UpdateRepositoryHandler,
    private readonly deleteRepository: DeleteRepositoryHandler,
    private readonly starRepository: StarRepositoryHandler,
    @Inject(HUB_RUNTIME) private readonly runtime: HubRuntime,
  ) {}

  @MessagePattern(REPOSITORIES_COMMANDS.CreateRepository)
  @ExecuteOnce()
  create(@Payload() command: CreateRepositoryDto, @Ctx() context: BusContext) {
    return this.createRepository.handle(command, context.getMetadata());
  }

  @MessagePattern(REPOSITORIES_COMMANDS.UpdateRepository)
  @ExecuteOnce()
  update(@Payload() command: UpdateRepositoryDto, @Ctx() context: BusContext) {
    return this.updateRepository.handle(command, context.getMetadata());
  }

  @MessagePattern(REPOSITORIES_COMMANDS.DeleteRepository)
  @ExecuteOnce()
  delete(@Payload() command: DeleteRepositoryDto, @Ctx() context: BusContext) {
    return this.deleteRepository.handle(command, context.getMetadata());
  }

  @MessagePattern(REPOSITORIES_COMMANDS.StarRepository)
  @ExecuteOnce()
  star(@Payload() command: StarRepositoryDto, @Ctx() context: BusContext) {
    return this.starRepository.handle(command, context.getMetadata());
  }

  /** A consumer repairing a gap reads the missing versions of a repository stream back (published form). */
  @MessagePattern(READ_STREAM_COMMANDS.repositories)
  readStream(@Payload() command: ReadStreamDto) {
    return readPublishedStream(this.runtime.pool('repositories'), REPOSITORIES_SCHEMA, 'repositories', command);
  }

  /** A read model being rebuilt (`npm run rebuild`) pages through this service's whole store. */
  @MessagePattern(READ_EVENTS_COMMANDS.repositories)
  readEvents(@Payload() command: ReadEventsDto) {
    return readPublishedEvents(this.runtime.pool('repositories'), REPOSITORIES_SCHEMA, 'repositories', command);
  }

  /** The audit API's `verify`: recomputes the hash chains of these streams in this service's own store. */
  @MessagePattern(VERIFY_STREAMS_COMMANDS.repositories)
  verifyStreams(@Payload() command: VerifyStreamsDto) {
    return verifyOwnStreams(this.runtime.pool('repositories'), REPOSITORIES_SCHEMA, command);
  }
}
