import { PULL_STEPS, PullStep, PullTimes, pull } from './docker-pull';
import { HttpClient } from './http-client';
import { percentile, round } from './stats';

export interface PullRun {
  clients: number;
  seconds: number;
  pulls: number;
  errors: number;
  firstError?: string;
  pullsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  anonymousP50Ms: number;
  anonymousP99Ms: number;
  loggedInP50Ms: number;
  loggedInP99Ms: number;
  /** Each step's share of the summed pull time. */
  shares: Record<PullStep, number>;
  /** Pulls answered by each gateway (in `gateways` order). */
  perGateway: number[];
}

export const PULLER = { username: 'puller', password: 'secret1' };

/**
 * `clients` virtual docker clients pulling `remote` back to back for `seconds`, client i on gateway
 * i mod n (its connection stays there, as a client's would behind a connection-balancing proxy);
 * every other client is logged in (Basic on the index call), the rest anonymous.
 */
export async function runPulls(gateways: string[], remote: string, seconds: number, clients: number): Promise<PullRun> {
  const http = gateways.map((url) => new HttpClient(url, clients));
  const anonymous: number[] = [];
  const loggedIn: number[] = [];
  const steps: PullTimes = { index: 0, tags: 0, ancestry: 0, json: 0, layer: 0 };
  const perGateway = gateways.map(() => 0);
  let errors = 0;
  let firstError: string | undefined;
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const credentials = i % 2 === 1 ? PULLER : undefined;
        while (Date.now() < deadline) {
          const t0 = process.hrtime.bigint();
          try {
            const times = await pull(http[i % gateways.length], remote, credentials);
            (credentials ? loggedIn : anonymous).push(Number(process.hrtime.bigint() - t0) / 1e6);
            for (const step of PULL_STEPS) steps[step] += times[step];
            perGateway[i % gateways.length]++;
          } catch (error) {
            errors++;
            firstError ??= String(error);
            await new Promise((r) => setTimeout(r, 50));
          }
        }
      }),
    );
  } finally {
    for (const client of http) client.close();
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const all = [...anonymous, ...loggedIn];
  if (all.length === 0) throw new Error(`no pull succeeded: ${firstError}`);
  const total = PULL_STEPS.reduce((sum, step) => sum + steps[step], 0);
  return {
    clients,
    seconds: round(elapsed, 1),
    pulls: all.length,
    errors,
    firstError,
    pullsPerSecond: round(all.length / elapsed, 1),
    p50Ms: round(percentile(all, 50), 1),
    p99Ms: round(percentile(all, 99), 1),
    anonymousP50Ms: round(percentile(anonymous, 50), 1),
    anonymousP99Ms: round(percentile(anonymous, 99), 1),
    loggedInP50Ms: round(percentile(loggedIn, 50), 1),
    loggedInP99Ms: round(percentile(loggedIn, 99), 1),
    shares: Object.fromEntries(PULL_STEPS.map((step) => [step, round(steps[step] / total, 3)])) as Record<PullStep, number>,
    perGateway,
  };
}
