import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ACCOUNTS_EVENTS, PublishedEvent, REPOSITORIES_EVENTS, TOKENS_COMMANDS } from '@dockyard/contracts';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce } from '@dockyard/runtime';
import { TokensHandlers } from './application/tokens.handlers';
import { Revocations } from './infrastructure/revocations';
import { IssueTokenDto, ValidateTokenDto } from './tokens.commands.dto';

/** Issues and checks repository tokens; learns what voids them from other services' facts. */
@Controller()
export class TokensMessageController {
  constructor(
    private readonly tokens: TokensHandlers,
    private readonly revocations: Revocations,
  ) {}

  @MessagePattern(TOKENS_COMMANDS.IssueToken)
  @ExecuteOnce()
  issue(@Payload() command: IssueTokenDto, @Ctx() context: BusContext) {
    return this.tokens.issue(command, context.getMetadata());
  }

  @MessagePattern(TOKENS_COMMANDS.ValidateToken)
  validate(@Payload() command: ValidateTokenDto) {
    return this.tokens.validate(command);
  }

  // Every fact of both sources, not only the two that void tokens: its checkpoint follows each
  // stream version by version, so a missing one is a gap to detect, not a type it ignored.
  @EventPattern([...Object.values(REPOSITORIES_EVENTS), ...Object.values(ACCOUNTS_EVENTS)])
  async voided(@Payload() event: PublishedEvent) {
    await this.revocations.apply(event);
  }
}
