/** The signals a hub process stops on: SIGTERM from a supervisor, SIGINT from a terminal's Ctrl-C. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `stop` on the first stop signal, once: a later one (Ctrl-C in the terminal of
 * `npm run start:distributed` reaches every app, and the launcher then sends each SIGTERM) joins the
 * shutdown already running instead of closing the pools a second time, which failed the process
 * with "Called end on pool more than once".
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  const once = stopOnce(stop);
  for (const signal of STOP_SIGNALS) process.on(signal, () => void once());
}

/** `stop`, run by its first call; every call answers that run's promise. */
export function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= stop());
}
