import autocannon from 'autocannon';
import { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { startDistributedHub } from './distributed-hub';
import { pushImage, register, requestsPerPull, threeLayerImage } from './docker-pull';
import { HttpClient } from './http-client';
import { BENCH_ADMIN_ENV, basicAuth, benchPort, startBuild, startScript, stopAll, waitFor } from './hub-processes';
import { LoopStalls, withLoopStalls } from './event-loop-stalls';
import { PacedLoad, pacedLoad } from './paced-load';
import { PULLER, PullRun, runPulls } from './pull-load';
import { machineCpu } from './machine-cpu';
import { ResourceCounters, ResourceUse } from './resource-counters';
import { median, round } from './stats';

const ROOT = resolve(__dirname, '../..');
export const REMOTE = `${PULLER.username}/app`;
const IMAGES_PATH = `/v1/repositories/${REMOTE}/images`;
/** The gateway's route of IMAGES_PATH, as its request histogram labels it. */
const IMAGES_ROUTE = '/v1/repositories/:first/:second/images';
export const LAYERS = 3;

/** Seconds per measured window (BENCH_SECONDS, 10 by default; a few seconds prove the benches work). */
export const benchSeconds = (): number => Number(process.env.BENCH_SECONDS || 10);
/** Concurrent virtual docker clients of a pull run (BENCH_PULL_CLIENTS, 16 by default). */
export const pullClients = (): number => Number(process.env.BENCH_PULL_CLIENTS || 16);

export interface Load {
  rps: number;
  p50: number;
  p99: number;
}

export type SideBySideLoad = Load & { rounds: number[] };

/** A pull run with what the hub used for it, and what it used idle for as long (background work). */
export interface MeasuredPullRun extends PullRun {
  use: ResourceUse;
  idle: ResourceUse;
}

export interface PullBench {
  layers: number;
  requestsPerPull: number;
  bodyBytes: number;
  standalone: MeasuredPullRun;
  distributed: MeasuredPullRun;
  index: {
    /** Measured side by side in interleaved rounds (`sideBySide`): the mean, and each round's requests/s. */
    standaloneNoToken: SideBySideLoad;
    standaloneToken: SideBySideLoad;
    bareConstant: SideBySideLoad;
    halfLoad: PacedLoad & LoopStalls;
    distributedNoToken: SideBySideLoad;
    distributedToken: SideBySideLoad;
    /** The same paced load as `halfLoad`, at half the distributed gateway's rate with the token. */
    distributedHalfLoad: PacedLoad & LoopStalls;
    /** `GET .../images` without a token on the standalone hub of BENCH_BASELINE_ROOT, when set. */
    baseline?: SideBySideLoad & { root: string };
  };
}

/** Rounds of the side-by-side rows (BENCH_SIDE_BY_SIDE_ROUNDS, 3 by default). */
const sideBySideRounds = (): number => Number(process.env.BENCH_SIDE_BY_SIDE_ROUNDS || 3);

/**
 * Unmeasured rounds of every standalone side-by-side row before the measured ones. autocannon's
 * one-second warm-up before each row is not enough for a hub: on one day its first 5 s at full load
 * answered 2,812 requests/s and every later 5 s 3,357–4,520 (V8 still optimizing its paths), so the
 * first measured round charged that to the hub's row, and to no other. The distributed rows come
 * after the distributed pull run, which warmed their gateway; rounds before them only left the
 * tokens service and the projector more TokenIssued events to fold while the measured rows ran (its
 * token ÷ no-token ratio fell from 1.02 to 0.81 and 0.69 in the two runs with them).
 */
const SIDE_BY_SIDE_WARM_UP_ROUNDS = 2;

/**
 * autocannon, 32 connections, on `url` for `seconds` (the bench's window by default) after
 * autocannon's warm-up (a quarter of it, unmeasured); fails on any non-2xx answer. The warm-up makes
 * rows comparable: bare Fastify runs at full speed within a second, a hub's JIT needs seconds on its
 * longer paths, and a row measured cold charges that to whichever server is measured first.
 */
export async function load(
  url: string,
  headers: Record<string, string> = {},
  overallRate?: number,
  seconds = benchSeconds(),
): Promise<Load> {
  const connections = overallRate ? 16 : 32;
  // `warmup` is autocannon's (README: -W/--warmup), missing from @types/autocannon.
  const options: autocannon.Options & { warmup: { connections: number; duration: number } } = {
    url,
    connections,
    duration: seconds,
    warmup: { connections, duration: Math.max(1, seconds / 4) },
    headers,
    ...(overallRate ? { overallRate } : {}),
  };
  const result = await autocannon(options);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: round(result.requests.average, 0), p50: result.latency.p50, p99: result.latency.p99 };
}

/**
 * Rows whose ratios are targets, measured in `rounds` interleaved rounds (row a, row b, ..., then
 * the same rows in reverse, and so on), each a `1 / rounds` share of the window: this shared machine's speed drifts by tens of
 * percent within minutes (bare Fastify measured 15,007 and 26,250 requests/s half an hour apart), and
 * rows measured one whole window after the other carry that drift into their ratios. Each row's
 * requests/s is its mean over the rounds; its p50 and p99 are the medians of the rounds'.
 */
async function sideBySide<K extends string>(
  rows: Record<K, () => Promise<Load>>,
  rounds: number,
  between: () => Promise<void>,
  warmUpRounds = 0,
): Promise<Record<K, SideBySideLoad>> {
  const names = Object.keys(rows) as K[];
  const measured = new Map<K, Load[]>(names.map((name) => [name, []]));
  for (let n = 0; n < warmUpRounds; n++) {
    for (const name of names) {
      await rows[name]();
      await between();
    }
  }
  for (let n = 0; n < rounds; n++) {
    // Every other round in the reverse order: a drift within a round (the machine, or the work a row
    // leaves for the next one) then weighs on each row in turn, not always on the later ones.
    for (const name of n % 2 === 0 ? names : [...names].reverse()) {
      measured.get(name)!.push(await rows[name]());
      await between();
    }
  }
  const summary = (loads: Load[]): SideBySideLoad => ({
    rps: round(loads.reduce((sum, l) => sum + l.rps, 0) / loads.length, 0),
    p50: median(loads.map((l) => l.p50)),
    p99: median(loads.map((l) => l.p99)),
    rounds: loads.map((l) => l.rps),
  });
  return Object.fromEntries(names.map((name) => [name, summary(measured.get(name)!)])) as Record<K, SideBySideLoad>;
}

/** Registers the puller and pushes a three-layer image to `puller/app` through `gateway`. */
async function preparePull(gateway: string): Promise<void> {
  const client = new HttpClient(gateway, 1);
  try {
    await register(client, PULLER.username);
    await pushImage(client, REMOTE, basicAuth(PULLER.username, PULLER.password), await threeLayerImage('app'));
  } finally {
    client.close();
  }
}

/** A pull run measured by `counters`, after a warm-up and an idle window as long as the run. */
async function measuredPulls(gateways: string[], counters: ResourceCounters): Promise<MeasuredPullRun> {
  await runPulls(gateways, REMOTE, Math.max(1, benchSeconds() / 4), pullClients()); // warm-up: connections, caches, group joins
  const idleFrom = await counters.snapshot();
  await new Promise((r) => setTimeout(r, benchSeconds() * 1000));
  const idle = await counters.since(idleFrom);
  const from = await counters.snapshot();
  const run = await runPulls(gateways, REMOTE, benchSeconds(), pullClients());
  return { ...run, use: await counters.since(from), idle };
}

/** The machine's busy share over `ms` (both cores, from /proc/stat). */
async function machineBusy(ms: number): Promise<number> {
  const before = machineCpu();
  await new Promise((r) => setTimeout(r, ms));
  const after = machineCpu();
  return (after.busy - before.busy) / (after.total - before.total);
}

/**
 * Waits (up to 60 s) until the machine is quiet: under 10 % busy over a second, or within 5 points of
 * `floor` (the hubs idle before the first row: a distributed hub and its broker keep the machine
 * near that by themselves). The whole machine, not only the hubs: PostgreSQL's autovacuum of the
 * audit tables a row filled takes a core for seconds (one round of bare Fastify measured half its
 * rate next to it).
 */
async function quietDown(floor = 0): Promise<void> {
  for (let i = 0; i < 60; i++) if ((await machineBusy(1000)) < Math.max(0.1, floor + 0.05)) return;
}

/** The standalone hub of the checkout at `root` on its own database. */
async function startStandalone(root: string, port: number, databaseUrl: string, name: string): Promise<ChildProcess> {
  const hub = startBuild(root, 'dist/apps/standalone/src/main.js', {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(ROOT, '.test-runs', `bench-${name}`),
    // For /metrics (admins only): the half-load row reads the hub's event-loop and GC figures.
    ...BENCH_ADMIN_ENV,
  });
  await waitFor(`http://127.0.0.1:${port}/v1/_ping`, 120000);
  return hub;
}

/**
 * The docker 1.x pull (protocol.md §1.3) of a three-layer image by concurrent virtual clients, in
 * standalone and distributed mode, and side by side in the same run: `GET .../images` with and
 * without `X-Docker-Token: true`, bare Fastify answering the same bytes, p99 at half the gateway's
 * rate, and the same call on the baseline build (BENCH_BASELINE_ROOT).
 */
export async function benchPull(database: (name: string) => Promise<string>, brokers: string[]): Promise<PullBench> {
  const standaloneUrl = `http://127.0.0.1:${benchPort(161)}`;
  const bareUrl = `http://127.0.0.1:${benchPort(162)}`;
  const standaloneDb = await database('bench_pull_standalone');
  const hub = await startStandalone(ROOT, benchPort(161), standaloneDb, 'pull-standalone');
  const children: ChildProcess[] = [hub];
  let standalone: MeasuredPullRun;
  let bodyBytes: number;
  const index: Partial<PullBench['index']> = {};
  try {
    await preparePull(standaloneUrl);
    const body = await (await fetch(`${standaloneUrl}${IMAGES_PATH}`)).text();
    bodyBytes = Buffer.byteLength(body);
    children.push(startScript('dist/bench/bare-constant-server.js', { PORT: String(benchPort(162)), BODY: body }));
    await waitFor(`${bareUrl}${IMAGES_PATH}`);
    const baselineRoot = process.env.BENCH_BASELINE_ROOT;
    let baselineUrl: string | undefined;
    let baselineHub: ChildProcess | undefined;
    if (baselineRoot) {
      baselineHub = await startStandalone(resolve(baselineRoot), benchPort(163), await database('bench_pull_baseline'), 'pull-baseline');
      children.push(baselineHub);
      baselineUrl = `http://127.0.0.1:${benchPort(163)}`;
      await preparePull(baselineUrl);
    }
    // Side by side, in interleaved rounds (`sideBySide`), each row once the machine is quiet again.
    const rounds = sideBySideRounds();
    const window = benchSeconds() / rounds;
    // The baseline build in the same rounds: measured once after the others, its ratio carried the
    // machine's drift between the two moments (on one day 3.6× in one run, 2.5× in another). Its
    // pulls go on being folded for seconds after its row (one transaction each): the quiet-down
    // between rows waits for that.
    const rowLoads: Record<string, () => Promise<Load>> = {
      standaloneNoToken: () => load(`${standaloneUrl}${IMAGES_PATH}`, {}, undefined, window),
      standaloneToken: () => load(`${standaloneUrl}${IMAGES_PATH}`, { 'X-Docker-Token': 'true' }, undefined, window),
      bareConstant: () => load(`${bareUrl}${IMAGES_PATH}`, {}, undefined, window),
    };
    if (baselineUrl) rowLoads.baseline = () => load(`${baselineUrl}${IMAGES_PATH}`, {}, undefined, window);
    const { baseline, ...rows } = await sideBySide(rowLoads, rounds, quietDown, SIDE_BY_SIDE_WARM_UP_ROUNDS);
    const ours = rows as Record<'standaloneNoToken' | 'standaloneToken' | 'bareConstant', SideBySideLoad>;
    Object.assign(index, ours);
    if (baseline) index.baseline = { ...baseline, root: baselineRoot! };
    // Its rows are done: the rows after them share the cores with this build's hub alone.
    if (baselineHub) {
      await stopAll([baselineHub]);
      children.splice(children.indexOf(baselineHub), 1);
      await quietDown();
    }
    const rate = Math.max(1, Math.round(ours.standaloneToken.rps / 2));
    const half = await withLoopStalls(
      standaloneUrl,
      () => pacedLoad(`${standaloneUrl}${IMAGES_PATH}`, rate, benchSeconds(), { 'X-Docker-Token': 'true' }),
      IMAGES_ROUTE,
    );
    index.halfLoad = { ...half.result, ...half.stalls };
    await quietDown();

    const counters = new ResourceCounters(standaloneDb, brokers, undefined, new Map([['standalone', hub]]));
    await counters.open();
    try {
      standalone = await measuredPulls([standaloneUrl], counters);
    } finally {
      await counters.close();
    }
  } finally {
    await stopAll(children);
  }

  const distributedDb = await database('bench_pull_distributed');
  const distributedHub = await startDistributedHub({ databaseUrl: distributedDb, brokers, name: 'pull', portOffset: 171 });
  let distributed: MeasuredPullRun;
  try {
    await preparePull(distributedHub.gateways[0]);
    const counters = new ResourceCounters(distributedDb, brokers, distributedHub.topicPrefix, distributedHub.processes);
    await counters.open();
    try {
      distributed = await measuredPulls(distributedHub.gateways, counters);
    } finally {
      await counters.close();
    }
    const gateway = distributedHub.gateways[0];
    const rounds = sideBySideRounds();
    // The idle floor: the least busy of five seconds after the pull run (its last activity folded).
    let floor = 1;
    for (let i = 0; i < 5; i++) floor = Math.min(floor, await machineBusy(1000));
    const distributedRows = await sideBySide(
      {
        distributedNoToken: () => load(`${gateway}${IMAGES_PATH}`, {}, undefined, benchSeconds() / rounds),
        distributedToken: () => load(`${gateway}${IMAGES_PATH}`, { 'X-Docker-Token': 'true' }, undefined, benchSeconds() / rounds),
      },
      rounds,
      () => quietDown(floor),
    );
    Object.assign(index, distributedRows);
    const distributedRate = Math.max(1, Math.round(distributedRows.distributedToken.rps / 2));
    const half = await withLoopStalls(
      gateway,
      () => pacedLoad(`${gateway}${IMAGES_PATH}`, distributedRate, benchSeconds(), { 'X-Docker-Token': 'true' }),
      IMAGES_ROUTE,
    );
    index.distributedHalfLoad = { ...half.result, ...half.stalls };
  } finally {
    await distributedHub.stop();
  }
  return { layers: LAYERS, requestsPerPull: requestsPerPull(LAYERS), bodyBytes, standalone, distributed, index: index as PullBench['index'] };
}

const ms = (value: number) => `${value} ms`;
const stallCell = (s: LoopStalls) =>
  `${s.hubLoopP99} / ${s.hubLoopMax} ms; GC ${s.hubGcPauses} pauses, ${s.hubGcMs} ms; client ${s.clientLoopP99} / ${s.clientLoopMax} ms`;
const hubRequestCell = (s: LoopStalls) =>
  s.hubRequest
    ? `p50 ${s.hubRequest.p50Ms} ms, p99 ${s.hubRequest.p99BeyondBuckets ? '≥ ' : ''}${s.hubRequest.p99Ms} ms; ${s.hubRequest.over10MsPercent} % over 10 ms (${s.hubRequest.count} requests)`
    : 'not read';
const percent = (share: number) => `${round(share * 100, 1)} %`;
const ratio = (a: number, b: number) => (b > 0 ? round(a / b, 2) : NaN);

/**
 * The ratio of two rows measured side by side: the median of the rounds' ratios (each round's rows
 * ran back to back), so a round that a burst of other work on the machine slowed down does not
 * move it; every round's ratio is printed next to it.
 */
function roundsRatio(a: SideBySideLoad, b: SideBySideLoad): { median: number; rounds: number[] } {
  const rounds = a.rounds.map((value, i) => ratio(value, b.rounds[i]));
  return { median: median(rounds), rounds };
}

const showRatio = ({ median, rounds }: { median: number; rounds: number[] }) => `**${median}** (rounds: ${rounds.join(' / ')})`;

function pullRow(mode: string, run: PullRun): string {
  return `| ${mode} | ${run.clients} | ${run.pulls} | ${run.errors} | **${run.pullsPerSecond}** | ${ms(run.p50Ms)} / ${ms(run.p99Ms)} | ${ms(run.anonymousP50Ms)} / ${ms(run.anonymousP99Ms)} | ${ms(run.loggedInP50Ms)} / ${ms(run.loggedInP99Ms)} |`;
}

function shareRow(mode: string, run: PullRun): string {
  return `| ${mode} | ${percent(run.shares.index)} | ${percent(run.shares.tags)} | ${percent(run.shares.ancestry)} | ${percent(run.shares.json)} | ${percent(run.shares.layer)} |`;
}

export function reportPull(pull: PullBench): string {
  const { index } = pull;
  const errors = [pull.standalone, pull.distributed].filter((run) => run.firstError).map((run) => `\n\nFirst failed pull: \`${run.firstError}\`.`);
  const baseline = index.baseline
    ? `| baseline build (\`${index.baseline.root}\`), standalone, no token | ${index.baseline.rps} (${index.baseline.rounds.join(' / ')}) | ${index.baseline.p50} ms / ${index.baseline.p99} ms |`
    : '| baseline build (BENCH_BASELINE_ROOT) | not measured | — |';
  const threeX = index.baseline ? `${showRatio(roundsRatio(index.standaloneNoToken, index.baseline))}, in times (target ≥ 3)` : 'not measured';
  return `## The docker 1.x pull, standalone and distributed

${pull.standalone.clients} virtual docker clients pull one ${pull.layers}-layer image (layers of 2–6 KiB) back to back for
${pull.standalone.seconds} s, as protocol.md §1.3 has it: \`GET /v1/repositories/(ns)/(repo)/images\` with
\`X-Docker-Token: true\` (every other client logged in with Basic, the rest anonymous) → \`GET .../tags\` →
\`GET /v1/images/(id)/ancestry\` → \`GET .../json\` and \`GET .../layer\` of each image, all with
\`Authorization: Token <the token of the first answer>\`: ${pull.requestsPerPull} requests a pull, on keep-alive connections
(node:http). Standalone: one process. Distributed: gateway, accounts, repositories, images, tokens and
projector each a process, Kafka between them, one PostgreSQL. The client, PostgreSQL, Kafka and the hub
share this machine's ${require('node:os').cpus().length} cores.

| mode | clients | pulls | failed | pulls/s | pull p50 / p99 | anonymous p50 / p99 | logged in p50 / p99 |
|---|---|---|---|---|---|---|---|
${pullRow('standalone', pull.standalone)}
${pullRow('distributed', pull.distributed)}

Share of each step in the summed pull time:

| mode | index call | tags | ancestry | json (×${pull.layers}) | layer (×${pull.layers}) |
|---|---|---|---|---|---|
${shareRow('standalone', pull.standalone)}
${shareRow('distributed', pull.distributed)}${errors.join('')}

### \`GET .../images\` side by side (the pull's first call)

autocannon, 32 connections; the answer is ${pull.bodyBytes} bytes of JSON (${pull.layers} images). The standalone
rows, bare Fastify's and the baseline build's are measured side by side in ${index.standaloneNoToken.rounds.length} interleaved rounds (no token, token,
bare Fastify, baseline, then the same in reverse, and so on; the distributed gateway's two rows likewise, after the distributed pull run), each
row ${round(benchSeconds() / index.standaloneNoToken.rounds.length, 2)} s a round after ${round(Math.max(1, benchSeconds() / index.standaloneNoToken.rounds.length / 4), 2)} s of warm-up (autocannon's \`warmup\`), after ${SIDE_BY_SIDE_WARM_UP_ROUNDS} unmeasured rounds of every standalone row (a hub's JIT needs seconds at full load; one row's first seconds measured cold charged that to it alone; the distributed rows come after the distributed pull run, which warmed their gateway): this shared machine's
speed drifts within minutes, and rows measured one after the other would carry that drift into their
ratios. Requests/s is the mean of the rounds (each round's in brackets), p50 / p99 the medians;
a ratio is the median of the rounds' ratios. The paced rows at half load: ${benchSeconds()} s each after ${Math.max(1, benchSeconds() / 4)} s
unmeasured at the same pace. Targets (issue 11): with the token ≥ 0.8× without; gateway ≥ 0.3× bare Fastify
answering the same bytes; p99 < 10 ms at half the gateway's rate; ≥ 3× the baseline build's rate.

| | requests/s | p50 / p99 |
|---|---|---|
| standalone gateway, no token | ${index.standaloneNoToken.rps} (${index.standaloneNoToken.rounds.join(' / ')}) | ${index.standaloneNoToken.p50} ms / ${index.standaloneNoToken.p99} ms |
| standalone gateway, \`X-Docker-Token: true\` | ${index.standaloneToken.rps} (${index.standaloneToken.rounds.join(' / ')}) | ${index.standaloneToken.p50} ms / ${index.standaloneToken.p99} ms |
| bare Fastify, constant body of the same bytes | ${index.bareConstant.rps} (${index.bareConstant.rounds.join(' / ')}) | ${index.bareConstant.p50} ms / ${index.bareConstant.p99} ms |
| distributed gateway, no token | ${index.distributedNoToken.rps} (${index.distributedNoToken.rounds.join(' / ')}) | ${index.distributedNoToken.p50} ms / ${index.distributedNoToken.p99} ms |
| distributed gateway, \`X-Docker-Token: true\` | ${index.distributedToken.rps} (${index.distributedToken.rounds.join(' / ')}) | ${index.distributedToken.p50} ms / ${index.distributedToken.p99} ms |
${baseline}

| target | measured |
|---|---|
| with token ÷ without, standalone (≥ 0.8; median of the rounds) | ${showRatio(roundsRatio(index.standaloneToken, index.standaloneNoToken))} |
| with token ÷ without, distributed (≥ 0.8; median of the rounds) | ${showRatio(roundsRatio(index.distributedToken, index.distributedNoToken))} |
| gateway (no token) ÷ bare Fastify (≥ 0.3; median of the rounds) | ${showRatio(roundsRatio(index.standaloneNoToken, index.bareConstant))} |
| … the distributed gateway instead (its process answers HTTP only; measured after the distributed pull run, not side by side with bare Fastify) | ${ratio(index.distributedNoToken.rps, index.bareConstant.rps)} |
| p99 with the token at half the gateway's rate (${index.halfLoad.rate} req/s, paced: one request every ${round(1000 / index.halfLoad.rate, 2)} ms, latency from when it was due; p50 ${index.halfLoad.p50} ms; < 10 ms) | **${index.halfLoad.p99} ms** |
| … the same at half the distributed gateway's rate (${index.distributedHalfLoad.rate} req/s; p50 ${index.distributedHalfLoad.p50} ms) | ${index.distributedHalfLoad.p99} ms |
| … where the standalone tail came from, while that row ran: how late the hub's event loop ran, p99 / at most; its GC pauses and their sum; how late the bench client's own loop ran, p99 / at most (the three share the 2 cores with PostgreSQL) | hub ${stallCell(index.halfLoad)} |
| … the same for the distributed gateway's row | gateway ${stallCell(index.distributedHalfLoad)} |
| … the hub's own time for the standalone row's requests: its \`dockyard_http_request_seconds\` histogram (Fastify's clock, from reading the request to the answer sent; interpolated within its buckets, as Prometheus's \`histogram_quantile\`; the row's unmeasured first seconds included) | ${hubRequestCell(index.halfLoad)} |
| … the same for the distributed gateway's row | ${hubRequestCell(index.distributedHalfLoad)} |
| gateway (no token) ÷ baseline build (≥ 3) | ${threeX} |
`;
}
