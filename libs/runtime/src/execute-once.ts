import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors, applyDecorators } from '@nestjs/common';
import { Observable, from, lastValueFrom } from 'rxjs';
import { MessageMetadata } from '@dockyard/contracts';
import { HandledCommands } from '@dockyard/eventstore';

/** The service's `HandledCommands` (its schema's `handled_commands`), provided by its module. */
export const HANDLED_COMMANDS = Symbol('HandledCommands');

/**
 * Executes a command once per command id (`MessageMetadata.commandId`): a repeat is answered with
 * the stored first result, and the handler's appends join the transaction that records it
 * (`HandledCommands.runOnce`). A command without an id (start-up work, an older sender) runs as is.
 */
@Injectable()
export class ExecuteOnceInterceptor implements NestInterceptor {
  constructor(@Inject(HANDLED_COMMANDS) private readonly handled: HandledCommands) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metadata = context.switchToRpc().getContext<{ getMetadata?: () => MessageMetadata }>().getMetadata?.();
    const commandId = metadata?.commandId;
    if (typeof commandId !== 'string' || commandId.length === 0) return next.handle();
    return from(this.handled.runOnce(commandId, () => lastValueFrom(next.handle(), { defaultValue: null })));
  }
}

/**
 * On a `@MessagePattern` handler that changes something: executed once per command id. Read-only
 * commands (authenticate, validate, reads) go without: nothing to repeat, nothing to remember.
 */
export const ExecuteOnce = () => applyDecorators(UseInterceptors(ExecuteOnceInterceptor));
