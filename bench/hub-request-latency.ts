import { round } from './stats';

/** The cumulative counts of one route's `dockyard_http_request_seconds` buckets: upper bound (s) → requests. */
export type RequestBuckets = Map<number, number>;

/** The hub's own time for a route's requests in a window, from its request histogram. */
export interface HubRequestLatency {
  /** Requests the hub answered in the window. */
  count: number;
  /** Interpolated within the histogram's buckets, as Prometheus's `histogram_quantile` does. */
  p50Ms: number;
  p99Ms: number;
  /** The p99 fell past the last finite bucket: `p99Ms` is that bound, a lower bound of it. */
  p99BeyondBuckets: boolean;
  /** Share of those requests the hub took more than 10 ms over, in percent. */
  over10MsPercent: number;
}

const BUCKET_LINE = /^dockyard_http_request_seconds_bucket\{(.*)\} (\S+)$/;
const labelOf = (labels: string, name: string): string | undefined => new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels)?.[1];

/**
 * The buckets of `GET route` answered 200 in a /metrics text (the gateway's histogram, observed in
 * its `onResponse` hook from Fastify's own clock: the time from when Fastify read the request to the
 * answer sent, not the time the request waited in the socket before).
 */
export function requestBuckets(metrics: string, route: string): RequestBuckets {
  const buckets: RequestBuckets = new Map();
  for (const line of metrics.split('\n')) {
    const match = BUCKET_LINE.exec(line);
    if (!match) continue;
    const labels = match[1];
    if (labelOf(labels, 'method') !== 'GET' || labelOf(labels, 'route') !== route || labelOf(labels, 'status') !== '200') continue;
    const le = labelOf(labels, 'le')!;
    buckets.set(le === '+Inf' ? Infinity : Number(le), Number(match[2]));
  }
  return buckets;
}

/** What the hub answered between two scrapes of the same process's histogram. */
export function latencyBetween(before: RequestBuckets, after: RequestBuckets): HubRequestLatency {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0));
  const count = counts[counts.length - 1] ?? 0;
  const quantile = (q: number): number => {
    const rank = q * count;
    const index = counts.findIndex((cumulative) => cumulative >= rank);
    if (index < 0) return NaN;
    const upper = bounds[index];
    // Past the last finite bound: that bound is all the histogram can say (a lower bound).
    if (upper === Infinity) return bounds[index - 1] * 1000;
    const lower = index === 0 ? 0 : bounds[index - 1];
    const below = index === 0 ? 0 : counts[index - 1];
    const inBucket = counts[index] - below;
    return (lower + (upper - lower) * (inBucket === 0 ? 1 : (rank - below) / inBucket)) * 1000;
  };
  const within10 = counts[bounds.indexOf(0.01)] ?? NaN;
  return {
    count,
    p50Ms: round(quantile(0.5), 1),
    p99Ms: round(quantile(0.99), 1),
    p99BeyondBuckets: counts[counts.length - 2] !== undefined && counts[counts.length - 2] < 0.99 * count,
    over10MsPercent: count === 0 ? 0 : round((100 * (count - within10)) / count, 1),
  };
}
