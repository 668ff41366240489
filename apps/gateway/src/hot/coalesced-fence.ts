/**
 * Shares one probe among concurrent callers. A caller arriving while a probe is in flight waits for
 * the NEXT probe, not the current one: the current one may have been sent before the caller's
 * request arrived, so it proves nothing about commits that preceded that request. At most one probe
 * is in flight and at most one is queued, however many callers wait.
 *
 * A caller that says since when it needs changes seen (`since`: its request's arrival) is answered
 * at once by a probe that succeeded and was sent after that instant: the second and later reads
 * of one request wait for no probe of their own, and PostgreSQL answers one probe per request at most.
 */
export class CoalescedFence {
  private inFlight: ((ok: boolean) => void)[] | undefined;
  private queued: ((ok: boolean) => void)[] | undefined;
  /** When the latest probe that succeeded was sent (`performance.now()`). */
  private provenSince = -Infinity;

  /** `probe` resolves once everything that happened before it was sent has been seen. */
  constructor(private readonly probe: () => Promise<void>) {}

  /**
   * True once a probe sent after `since` (by default, this call) returned; false if the probe this
   * call waited for failed.
   */
  fence(since?: number): Promise<boolean> {
    // Strictly after: a probe stamped in the same instant as the arrival may have been sent before it.
    if (since !== undefined && this.provenSince > since) return Promise.resolve(true);
    return new Promise((resolve) => {
      if (!this.inFlight) {
        this.inFlight = [resolve];
        this.run();
      } else {
        (this.queued ??= []).push(resolve);
      }
    });
  }

  private run(): void {
    // Stamped before the probe is handed over: its true sending can only be later, which is safe.
    const sentAt = performance.now();
    this.probe().then(
      () => {
        this.provenSince = Math.max(this.provenSince, sentAt);
        this.settle(true);
      },
      () => this.settle(false),
    );
  }

  private settle(ok: boolean): void {
    const waiting = this.inFlight ?? [];
    this.inFlight = this.queued;
    this.queued = undefined;
    if (this.inFlight) this.run();
    for (const resolve of waiting) resolve(ok);
  }
}
