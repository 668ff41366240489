// kafkajs 2.2.4's RequestQueue rescheduled its pending-request check every millisecond for ever, even
// with nothing pending (tulios/kafkajs#1556): every connection of every process spun a timer, 25–30 ms
// of CPU a second per idle service. patches/kafkajs+2.2.4.patch (applied by `npm install` through
// patch-package) is the upstream fix (tulios/kafkajs#1667); this fails if an install runs without it.
const RequestQueue = require('kafkajs/src/network/requestQueue');

describe('kafkajs request queue (patched for tulios/kafkajs#1556)', () => {
  const queue = () =>
    new RequestQueue({
      maxInFlightRequests: null,
      requestTimeout: 30000,
      enforceRequestTimeout: true,
      clientId: 'patch-check',
      broker: 'nowhere:9092',
      logger: { debug: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined },
      isConnected: () => true,
    });

  it('schedules no check when nothing is pending and nothing throttles it', () => {
    const q = queue();
    q.checkPendingRequests();
    const scheduled = q.throttleCheckTimeoutId;
    clearTimeout(scheduled); // unpatched, it would spin on for ever and keep Jest alive
    expect(scheduled).toBeNull();
  });

  it('still schedules one while requests wait behind a throttle', () => {
    const q = queue();
    q.throttledUntil = Date.now() + 1000;
    q.pending.push({ correlationId: 1 });
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId);
  });
});
