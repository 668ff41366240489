import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import {
  ACCOUNTS_EVENTS,
  ORGANIZATION_EVENTS,
  PublishedEvent,
  READ_EVENTS_COMMANDS,
  READ_STREAM_COMMANDS,
  VERIFY_STREAMS_COMMANDS,
  REPOSITORIES_EVENTS,
  RETRY_PARKED_COMMANDS,
  TOKENS_COMMANDS,
} from '@dockyard/contracts';
import { ReadEventsDto, ReadStreamDto, RetryParkedDto, VerifyStreamsDto, readPublishedEvents, readPublishedStream, verifyOwnStreams } from '@dockyard/eventstore';
import { BusContext } from '@dockyard/messaging';
import { ExecuteOnce, HUB_RUNTIME, HubRuntime } from '@dockyard/runtime';
import { TokensHandlers } from './application/tokens.handlers';
import { Revocations, TOKENS_SCHEMA } from './infrastructure/revocations';
import { IssueTokenDto, RecordIssuedTokensDto, ValidateTokenDto } from './tokens.commands.dto';

/** Issues and checks repository tokens; learns what voids them from other services' facts. */
@Controller()
export class TokensMessageController {
  constructor(
    private readonly tokens: TokensHandlers,
    private readonly revocations: Revocations,
    @Inject(HUB_RUNTIME) private readonly runtime: HubRuntime,
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

  /** A consumer repairing a gap reads the missing versions of a token stream back (published form). */
  @MessagePattern(READ_STREAM_COMMANDS.tokens)
  readStream(@Payload() command: ReadStreamDto) {
    return readPublishedStream(this.runtime.pool('tokens'), TOKENS_SCHEMA, 'tokens', command);
  }

  /** A read model being rebuilt (`npm run rebuild`) pages through this service's whole store. */
  @MessagePattern(READ_EVENTS_COMMANDS.tokens)
  readEvents(@Payload() command: ReadEventsDto) {
    return readPublishedEvents(this.runtime.pool('tokens'), TOKENS_SCHEMA, 'tokens', command);
  }

  /** The audit API's `verify`: recomputes the hash chains of these streams in this service's own store. */
  @MessagePattern(VERIFY_STREAMS_COMMANDS.tokens)
  verifyStreams(@Payload() command: VerifyStreamsDto) {
    return verifyOwnStreams(this.runtime.pool('tokens'), TOKENS_SCHEMA, command);
  }

  /** Admin: retries the events parked by revocations (tokens.parked_events). */
  @MessagePattern(RETRY_PARKED_COMMANDS.tokens)
  retryParked(@Payload() command: RetryParkedDto) {
    return this.revocations.retryParked(command);
  }
}
