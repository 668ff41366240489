import pino, { DestinationStream, Logger } from 'pino';
import { currentCorrelationId } from '@dockyard/messaging';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Every line logged while a request or message is handled carries its
 * `correlationId` (set by the bus server and the gateway, see libs/messaging correlation.ts), so
 * one `grep` finds what a request caused in every service. A line that names one itself keeps it.
 */
export const createLogger = (name: string, level: string, destination?: DestinationStream): Logger =>
  pino(
    {
      name,
      level,
      mixin() {
        const correlationId = currentCorrelationId();
        return correlationId ? { correlationId } : {};
      },
    },
    destination,
  );
