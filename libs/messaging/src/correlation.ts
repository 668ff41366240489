import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line caused by one request or message carries (the pino mixin in libs/runtime reads it). */
export interface CorrelationScope {
  correlationId: string;
}

const scope = new AsyncLocalStorage<CorrelationScope>();

/**
 * Runs `work` with `correlationId` as the current correlation: everything it awaits, directly or
 * not, sees it through `currentCorrelationId()` without it being passed along by hand. Set by the
 * bus server around each command and event handler and by the gateway around each HTTP request.
 */
export const withCorrelation = <T>(correlationId: string, work: () => T): T => scope.run({ correlationId }, work);

/** The correlation id of the request or message being handled, if any. */
export const currentCorrelationId = (): string | undefined => scope.getStore()?.correlationId;
