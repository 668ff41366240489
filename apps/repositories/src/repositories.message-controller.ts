import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { REPOSITORIES_COMMANDS } from '@dockyard/contracts';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce } from '@dockyard/runtime';
import { CreateRepositoryHandler } from './application/create-repository.handler';
import { DeleteRepositoryHandler } from './application/delete-repository.handler';
import { StarRepositoryHandler } from './application/star-repository.handler';
import { UpdateRepositoryHandler } from './application/update-repository.handler';
import { CreateRepositoryDto, DeleteRepositoryDto, StarRepositoryDto, UpdateRepositoryDto } from './repositories.commands.dto';

/** The repositories service's commands (patterns from libs/contracts), each to its use case. */
@Controller()
export class RepositoriesMessageController {
  constructor(
    private readonly createRepository: CreateRepositoryHandler,
    private readonly updateRepository: UpdateRepositoryHandler,
    private readonly deleteRepository: DeleteRepositoryHandler,
    private readonly starRepository: StarRepositoryHandler,
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

}
