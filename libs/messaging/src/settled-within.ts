/**
 * `work`, or nothing once `ms` have passed; never rejects. For what a stopping process waits on the
 * broker for: with the broker away, kafkajs retries a request for tens of seconds, far past the
 * 10–30 s a supervisor waits after SIGTERM before it kills the process.
 */
export const settledWithin = (ms: number, work: Promise<unknown> | undefined): Promise<unknown> =>
  Promise.race([work?.catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
