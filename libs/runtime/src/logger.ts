import pino, { DestinationStream, Logger } from 'pino';
import { MessageMetadata } from '@dockyard/contracts';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. A line logged for a request or a message names its `correlationId`, so one
 * `grep` finds what a request caused in every service: the gateway's lines name the request id, the
 * buses and consumers name the correlation id of the command or event they report on, and a handler
 * logs through `correlated`. It is passed, not found in an AsyncLocalStorage scope: on Node 20 one
 * such scope anywhere turns on promise hooks for every promise of the process (libs/eventstore
 * handled-commands.ts).
 */
export const createLogger = (name: string, level: string, destination?: DestinationStream): Logger =>
  pino({ name, level }, destination);

/** The logger for what one command or event causes: every line it writes carries its correlation id. */
export const correlated = (logger: Logger, metadata: Pick<MessageMetadata, 'correlationId'>): Logger =>
  logger.child({ correlationId: metadata.correlationId });
