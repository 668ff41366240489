import { readFileSync } from 'node:fs';
import { startDistributedHub } from './distributed-hub';
import { machineCpu } from './machine-cpu';
import { ResourceCounters } from './resource-counters';
import { basicAuth, cpuSeconds, gatewayMetrics, imageIds } from './hub-processes';
import { HttpClient } from './http-client';
import { percentile, round } from './stats';

const SEQUENCES = Number(process.env.BENCH_PUSH_SEQUENCES || 120);
const CONCURRENCY = 4;
/** The three index calls of the sequence, in order. */
const STEPS = ['putRepository', 'putImages', 'putAuth'] as const;

/** The broker's pid when scripts/bench.sh started it (BENCH_KAFKA_PID_FILE), else undefined. */
function brokerProcessId(): number | undefined {
  try {
    return Number(readFileSync(process.env.BENCH_KAFKA_PID_FILE ?? '', 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Sums of a histogram family in the Prometheus text, by a label filter. */
async function histogramSum(gateway: string, name: string, filter = ''): Promise<number> {
  return (await gatewayMetrics(gateway))
    .split('\n')
    .filter((line) => line.startsWith(`${name}_sum`) && line.includes(filter))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/**
 * The docker push's index sequence in distributed mode (every app its own process, Kafka between):
 * create with token → PUT images [] → PUT auth with the token. Reports sequences/s, latency, and how
 * much of the time went to Kafka round trips and to read-your-writes waits (from the gateway's
 * metrics).
 */
export async function benchPushSequence(
  databaseUrl: string,
  brokers: string[],
): Promise<Record<string, number>> {
  const hub = await startDistributedHub({ databaseUrl, brokers, name: 'push', portOffset: 25 });
  const GATEWAY = hub.gateways[0];
  // node:http keep-alive, as the pull bench: fetch costs the shared cores several times more per request.
  const client = new HttpClient(GATEWAY, CONCURRENCY);
  try {
    for (const username of ['pusher']) {
      for (let i = 0; ; i++) {
        const answer = await fetch(`${GATEWAY}/v1/users/`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ username, password: 'secret1', email: `${username}@example.com` }),
        });
        if (answer.status === 201 || answer.status === 400) break;
        if (i > 100) throw new Error(`register answered ${answer.status}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const auth = basicAuth('pusher', 'secret1');
    const steps = { putRepository: 0, putImages: 0, putAuth: 0 };
    const timed = async <T>(step: (typeof STEPS)[number], call: () => Promise<T>): Promise<T> => {
      const t0 = process.hrtime.bigint();
      const answer = await call();
      steps[step] += Number(process.hrtime.bigint() - t0) / 1e6;
      return answer;
    };
    const sequence = async (n: number) => {
      const repo = `pusher/repo-${n}`;
      const created = await timed('putRepository', () =>
        client.send(
          'PUT',
          `/v1/repositories/${repo}/`,
          { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
          JSON.stringify(imageIds(repo, 3).map((id, i) => (i === 2 ? { id, Tag: 'latest' } : { id }))),
        ),
      );
      const token = String(created.headers['x-docker-token']);
      const images = await timed('putImages', () =>
        client.send(
          'PUT',
          `/v1/repositories/${repo}/images`,
          { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
          '[]',
        ),
      );
      const check = await timed('putAuth', () =>
        client.send('PUT', `/v1/repositories/${repo}/auth`, { Authorization: `Token ${token}` }),
      );
      if (created.status !== 200 || images.status !== 204 || check.status !== 200) {
        throw new Error(`sequence ${n}: ${created.status} ${images.status} ${check.status}`);
      }
    };
    // Warm-up, 4 at a time, in 10 s windows until the machine's CPU per sequence holds steady (a
    // window within 10 % of the one before), at least BENCH_PUSH_WARMUP_SECONDS (60), at most 240 s:
    // group joins and caches, and the JITs. Measured on one commit, a 20 s warm-up left the broker's
    // JVM and the services' V8 compiling: 169 core-ms a sequence, against 102 after 120 s.
    // A broker started seconds ago may still be loading its group coordinator: a warm-up sequence
    // may fail then (counted and reported); none of the measured ones may.
    let warm = 0;
    let warmUpFailures = 0;
    const warmStarted = Date.now();
    const minimumWarmUp = Number(process.env.BENCH_PUSH_WARMUP_SECONDS || 60) * 1000;
    let previousCoreMs = Infinity;
    for (;;) {
      const windowEnds = Date.now() + 10000;
      const cpuFrom = machineCpu().busy;
      const warmFrom = warm;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < windowEnds) {
            await sequence(-1 - warm++).catch(() => {
              warmUpFailures++;
              return new Promise((r) => setTimeout(r, 500));
            });
          }
        }),
      );
      const coreMs = ((machineCpu().busy - cpuFrom) * 1000) / Math.max(1, warm - warmFrom);
      const steady = Math.abs(coreMs - previousCoreMs) <= 0.1 * previousCoreMs;
      previousCoreMs = coreMs;
      const elapsed = Date.now() - warmStarted;
      if ((steady && elapsed >= minimumWarmUp) || elapsed >= 240000) break;
    }
    const warmUpSeconds = round((Date.now() - warmStarted) / 1000, 0);
    // One at a time: the sequence's latency when it does not share the cores with three others.
    const alone: number[] = [];
    for (let n = 0; n < 30; n++) {
      const t0 = process.hrtime.bigint();
      await sequence(-100000 - n);
      alone.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    for (const step of STEPS) steps[step] = 0;

    const commandsBefore = await histogramSum(GATEWAY, 'dockyard_command_seconds');
    const waitsBefore = await histogramSum(GATEWAY, 'dockyard_read_your_writes_wait_seconds');
    const latencies: number[] = [];
    let next = 0;
    const counters = new ResourceCounters(databaseUrl, brokers, hub.topicPrefix, hub.processes);
    await counters.open();
    const usedFrom = await counters.snapshot();
    const brokerPid = brokerProcessId();
    const processCpu = () =>
      new Map([...hub.processes].map(([name, child]) => [name, cpuSeconds(child.pid!)]));
    const brokerFrom = brokerPid ? cpuSeconds(brokerPid) : NaN;
    const processFrom = processCpu();
    const machineFrom = machineCpu();
    const clientFrom = process.cpuUsage();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < SEQUENCES) {
          const n = next++;
          const t0 = process.hrtime.bigint();
          await sequence(n);
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const machineTo = machineCpu();
    const brokerCpu = brokerPid ? cpuSeconds(brokerPid) - brokerFrom : NaN;
    const clientUse = process.cpuUsage(clientFrom);
    const clientCpu = (clientUse.user + clientUse.system) / 1e6;
    const processUse = new Map(
      [...processCpu()].map(([name, cpu]) => [name, cpu - (processFrom.get(name) ?? 0)]),
    );
    const used = await counters.since(usedFrom);
    await counters.close();
    const coreMs = (cpuSeconds: number) => round((cpuSeconds * 1000) / SEQUENCES, 1);
    const hubCpu = [...processUse.values()].reduce((a, b) => a + b, 0);
    const machineBusy = machineTo.busy - machineFrom.busy;
    const commands = (await histogramSum(GATEWAY, 'dockyard_command_seconds')) - commandsBefore;
    const waits = (await histogramSum(GATEWAY, 'dockyard_read_your_writes_wait_seconds')) - waitsBefore;
    const total = latencies.reduce((a, b) => a + b, 0) / 1000;
    return {
      sequences: SEQUENCES,
      sequencesPerSecond: round(SEQUENCES / seconds, 1),
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
      warmUpFailures,
      warmUpSeconds,
      aloneP50Ms: round(percentile(alone, 50), 1),
      aloneP99Ms: round(percentile(alone, 99), 1),
      commandRoundTripShare: round(commands / total, 2),
      // Where the CPU went, per sequence: the machine's two cores are what bounds 4 at a time.
      machineBusyShare: round(machineBusy / (machineTo.total - machineFrom.total), 2),
      machineCoreMs: coreMs(machineBusy),
      ...Object.fromEntries([...processUse].map(([name, cpu]) => [`${name}CoreMs`, coreMs(cpu)])),
      postgresCoreMs: coreMs(used.pgCpuSeconds),
      // The bench's own process (its HTTP client), the broker's JVM, and what is left: the machine's
      // busy time that no hub process, backend, broker or the client used (PostgreSQL's own
      // processes, the kernel's threads).
      clientCoreMs: coreMs(clientCpu),
      brokerCoreMs: coreMs(brokerCpu),
      otherCoreMs: coreMs(Math.max(0, machineBusy - hubCpu - used.pgCpuSeconds - clientCpu - (brokerCpu || 0))),
      kafkaMessages: round(used.kafkaMessages / SEQUENCES, 1),
      pgTransactions: round(used.pgTransactions / SEQUENCES, 1),
      readYourWritesShare: round(waits / total, 2),
      ...Object.fromEntries(STEPS.map((step) => [`${step}Share`, round(steps[step] / 1000 / total, 2)])),
    };
  } finally {
    client.close();
    await hub.stop();
  }
}
