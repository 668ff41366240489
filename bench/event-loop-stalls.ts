import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gatewayMetrics } from './hub-processes';
import { HubRequestLatency, RequestBuckets, latencyBetween, requestBuckets } from './hub-request-latency';
import { round } from './stats';

/** Where a paced run's tail came from: the hub's event loop and GC, and the bench client's own loop. */
export interface LoopStalls {
  hubLoopP99: number;
  hubLoopMax: number;
  hubGcPauses: number;
  hubGcMs: number;
  clientLoopP99: number;
  clientLoopMax: number;
  /** The hub's own time for the route's requests meanwhile (its request histogram), when a route was named. */
  hubRequest?: HubRequestLatency;
}

/**
 * A loop-delay histogram records each interval between its timer's runs, the resolution included:
 * these are subtracted, so the figures say how late the loop was. prom-client samples at its
 * default 10 ms (`collectDefaultMetrics()` without options); this client at 1 ms.
 */
const HUB_RESOLUTION_MS = 10;
const CLIENT_RESOLUTION_MS = 1;

/** `nodejs_*` figures of the hub's /metrics (prom-client's default metrics; /metrics is for admins). */
async function hubFigures(
  gateway: string,
  route?: string,
): Promise<{ loopP99: number; loopMax: number; gcCount: number; gcSeconds: number; requests?: RequestBuckets }> {
  const metrics = await gatewayMetrics(gateway);
  const lines = metrics.split('\n');
  const value = (name: string) => Number(lines.find((line) => line.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
  const sum = (prefix: string) =>
    lines.filter((line) => line.startsWith(prefix)).reduce((total, line) => total + Number(line.split(' ').pop()), 0);
  return {
    loopP99: value('nodejs_eventloop_lag_p99_seconds'),
    loopMax: value('nodejs_eventloop_lag_max_seconds'),
    gcCount: sum('nodejs_gc_duration_seconds_count'),
    gcSeconds: sum('nodejs_gc_duration_seconds_sum'),
    requests: route === undefined ? undefined : requestBuckets(metrics, route),
  };
}

const late = (intervalMs: number, resolutionMs: number) => round(Math.max(0, intervalMs - resolutionMs), 1);

/**
 * Runs `work` and reports the stalls meanwhile. prom-client resets its event-loop histogram at
 * every scrape, so the scrape before starts the hub's window and the one after reads it. The client's
 * loop is sampled here: a request due while the client itself was stalled counts that stall as
 * latency, whoever caused it. With `route`, the hub's request histogram of that route is read at
 * both scrapes too: how long the hub itself took over the same requests (and the unmeasured first
 * seconds of a paced load, which run between the same scrapes).
 */
export async function withLoopStalls<T>(gateway: string, work: () => Promise<T>, route?: string): Promise<{ result: T; stalls: LoopStalls }> {
  const before = await hubFigures(gateway, route);
  const client = monitorEventLoopDelay({ resolution: CLIENT_RESOLUTION_MS });
  client.enable();
  const result = await work();
  client.disable();
  const after = await hubFigures(gateway, route);
  return {
    result,
    stalls: {
      hubLoopP99: late(after.loopP99 * 1000, HUB_RESOLUTION_MS),
      hubLoopMax: late(after.loopMax * 1000, HUB_RESOLUTION_MS),
      hubGcPauses: after.gcCount - before.gcCount,
      hubGcMs: round((after.gcSeconds - before.gcSeconds) * 1000, 0),
      clientLoopP99: late(client.percentile(99) / 1e6, CLIENT_RESOLUTION_MS),
      clientLoopMax: late(client.max / 1e6, CLIENT_RESOLUTION_MS),
      ...(before.requests && after.requests && { hubRequest: latencyBetween(before.requests, after.requests) }),
    },
  };
}
