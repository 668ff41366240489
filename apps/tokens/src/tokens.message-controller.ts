import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { ACCOUNTS_EVENTS, ORGANIZATION_EVENTS, PublishedEvent, REPOSITORIES_EVENTS, RETRY_PARKED_COMMANDS, TOKENS_COMMANDS } from '@dockyard/contracts';
import { RetryParkedDto } from '@dockyard/eventstore';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce } from '@dockyard/runtime';
import { TokensHandlers } from './application/tokens.handlers';
import { Revocations } from './infrastructure/revocations';
import { IssueTokenDto, RecordIssuedTokensDto, ValidateTokenDto } from './tokens.commands.dto';

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

  /** A gateway's batch of the grants it signed: their audit events, appended once each. */
  @MessagePattern(TOKENS_COMMANDS.RecordIssuedTokens)
  recordIssued(@Payload() command: RecordIssuedTokensDto) {
    return this.tokens.recordIssued(command);
  }

  @MessagePattern(TOKENS_COMMANDS.ValidateToken)
  validate(@Payload() command: ValidateTokenDto) {
    return this.tokens.validate(command);
  }

  // Every fact of both sources, not only the two that void tokens: its checkpoint follows each
  // stream version by version, so a missing one is a gap to detect, not a type it ignored.
  @EventPattern([...Object.values(REPOSITORIES_EVENTS), ...Object.values(ACCOUNTS_EVENTS), ...Object.values(ORGANIZATION_EVENTS)])
  async voided(@Payload() event: PublishedEvent) {
    await this.revocations.apply(event);
  }

  /** Admin: retries the events parked by revocations (tokens.parked_events). */
  @MessagePattern(RETRY_PARKED_COMMANDS.tokens)
  retryParked(@Payload() command: RetryParkedDto) {
    return this.revocations.retryParked(command);
  }
}
