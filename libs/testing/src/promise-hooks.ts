import { executionAsyncId } from 'node:async_hooks';

/**
 * Whether this process runs with promise hooks on. With them off a promise gets no async id, so code
 * resumed after an `await` runs under id 0; with them on (an AsyncLocalStorage scope anywhere, on
 * Node 20) every resumption gets an id of its own. The hub keeps them off: they cost the standalone
 * hub a fifth of its reads.
 */
export async function promiseHooksAreOn(): Promise<boolean> {
  await null;
  const first = executionAsyncId();
  await null;
  return first !== 0 || executionAsyncId() !== 0;
}
