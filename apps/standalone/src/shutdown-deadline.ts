import type { Logger } from '@dockyard/runtime';

/** Whatever shutdown still waits for, the process exits (code 1) once `ms` have passed. */
export function armShutdownDeadline(logger: Logger, ms: number): void {
  setTimeout(() => {
    logger.error('shutdown did not finish in time; exiting');
    process.exit(1);
  }, ms).unref();
}
