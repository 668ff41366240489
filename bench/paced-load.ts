import { HttpClient } from './http-client';
import { percentile, round } from './stats';

export interface PacedLoad {
  /** Requests per second asked for, and answered. */
  rate: number;
  answered: number;
  p50: number;
  p99: number;
}

/**
 * An open-loop load: requests leave at a steady `rate`, each 1/rate after the one before, whether
 * earlier ones were answered or not (up to `sockets` in flight, then they queue in the client), and
 * each latency counts from when the request was due to leave, so time spent queued in the client
 * counts too (no coordinated omission).
 *
 * Why not autocannon's `overallRate`: it gives each connection a quota per second that it spends
 * back to back at the start of every second, then waits — full-speed bursts, not half the load —
 * and it fills its histogram with synthetic samples at a 1 ms interval for every slower answer.
 * Its p99 "at half load" is the p99 of those bursts.
 */
export async function pacedLoad(url: string, rate: number, seconds: number, headers: Record<string, string> = {}, sockets = 32): Promise<PacedLoad> {
  const target = new URL(url);
  const client = new HttpClient(target.origin, sockets);
  try {
    // Unmeasured first, as autocannon's warm-up in `load`: the client opens its sockets and both
    // sides compile their paths. Measured cold, the first 200 ms of a run (connections being made
    // while requests are already due) held 382 of one run's 595 answers slower than 20 ms.
    await pace(client, target, rate, Math.max(1, seconds / 4), headers);
    const { latencies, elapsed } = await pace(client, target, rate, seconds, headers);
    return { rate, answered: round(latencies.length / elapsed, 0), p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) };
  } finally {
    client.close();
  }
}

/**
 * Requests at `rate` for `seconds` on `client`; each latency from when its request was due. Keeps
 * no promise per request: holding every request's promise (tens of thousands a run) until the end
 * grew the client's old space, and its collections stalled the pacer for up to 15 ms, which the
 * requests due meanwhile counted as the hub's latency.
 */
async function pace(client: HttpClient, target: URL, rate: number, seconds: number, headers: Record<string, string>): Promise<{ latencies: number[]; elapsed: number }> {
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let answered = 0;
  let failed = '';
  let outstanding = 0;
  let allAnswered!: () => void;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const start = performance.now();
  let sent = 0;
  const settled = () => {
    if (--outstanding === 0 && sent === total) allAnswered();
  };
  const fire = (due: number) => {
    outstanding++;
    client.send('GET', target.pathname + target.search, headers).then(
      (answer) => {
        if (answer.status >= 300) failed ||= `${answer.status}`;
        latencies[answered++] = performance.now() - due;
        settled();
      },
      (error: Error) => {
        failed ||= error.message;
        settled();
      },
    );
  };
  while (sent < total) {
    const now = performance.now();
    // Every request due by now leaves now; its latency still counts from when it was due.
    while (sent < total && start + (sent * 1000) / rate <= now) {
      fire(start + (sent * 1000) / rate);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  if (outstanding > 0) await done;
  if (failed) throw new Error(`${target.href}: ${failed}`);
  return { latencies: Array.from(latencies.subarray(0, answered)), elapsed: (performance.now() - start) / 1000 };
}
