/**
 * Shares one probe among concurrent callers. A caller arriving while a probe is in flight waits for
 * the NEXT probe, not the current one: the current one may have been sent before the caller's
 * request arrived, so it proves nothing about commits that preceded that request. At most one probe
 * is in flight and at most one is queued, however many callers wait.
 */
export class CoalescedFence {
  private inFlight: ((ok: boolean) => void)[] | undefined;
  private queued: ((ok: boolean) => void)[] | undefined;

  /** `probe` resolves once everything that happened before it was sent has been seen. */
  constructor(private readonly probe: () => Promise<void>) {}

  /** True once a probe sent after this call returned; false if that probe failed. */
  fence(): Promise<boolean> {
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
    this.probe().then(
      () => this.settle(true),
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
