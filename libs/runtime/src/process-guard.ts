import { Logger } from './logger';

/**
 * A rejection nobody awaited is a bug to fix, not a reason to drop every request in flight: it is
 * logged with its stack (so it is seen and fixed) and the process keeps serving. Tests fail on the
 * log line, not on a dead process.
 */
export function guardProcess(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection');
  });
}
