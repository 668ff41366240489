import { cpus } from 'node:os';
import { startDistributedHub } from './distributed-hub';
import { pushImage, register, threeLayerImage } from './docker-pull';
import { HttpClient } from './http-client';
import { CpuQuota } from './cpu-quota';
import { basicAuth } from './hub-processes';
import { PULLER, PullRun, runPulls } from './pull-load';
import { REMOTE, benchSeconds, pullClients } from './pull.bench';
import { ResourceCounters } from './resource-counters';
import { round } from './stats';

export interface ReplicaRun extends PullRun {
  /** CPU seconds each gateway replica used per pull it answered. */
  gatewayCpuPerPull: number[];
  /** Each replica's CPU use over the run, in cores. */
  gatewayCores: number[];
  /** Seconds each replica waited for its CPU quota over the run (limited rows only). */
  throttledSeconds?: number[];
}

export interface ReplicasBench {
  one: ReplicaRun;
  two: ReplicaRun;
  /** The same two rows with each replica limited to `cores` of CPU; absent where no cgroup could be made. */
  limited?: { cores: number; one: ReplicaRun; two: ReplicaRun };
}

/** Each replica's CPU limit in the limited rows (BENCH_REPLICA_CORES): a Kubernetes `limits.cpu` of 200m. */
const replicaCores = () => Number(process.env.BENCH_REPLICA_CORES || 0.2);

/**
 * The distributed hub with two gateway replicas (each its own process and port): the pull load on
 * one of them, then split over both (client i on replica i mod 2). On this machine both replicas,
 * the services, PostgreSQL, Kafka and the client share the same cores, so unlimited, the second
 * replica can only show how much of the first one's limit was the gateway itself. The same two rows
 * follow with each replica held to a fraction of a core (`CpuQuota`, as a pod's CPU limit): there a
 * replica is the limit, as on a hub whose replicas each have their own small machine.
 */
export async function benchReplicas(databaseUrl: string, brokers: string[]): Promise<ReplicasBench> {
  const hub = await startDistributedHub({ databaseUrl, brokers, name: 'replicas', portOffset: 181, gateways: 2 });
  const counters = new ResourceCounters(databaseUrl, brokers, hub.topicPrefix, hub.processes);
  const quotas: CpuQuota[] = [];
  await counters.open();
  try {
    const client = new HttpClient(hub.gateways[0], 1);
    await register(client, PULLER.username);
    await pushImage(client, REMOTE, basicAuth(PULLER.username, PULLER.password), await threeLayerImage('app'));
    client.close();
    const measure = async (gateways: string[], limits: CpuQuota[] = []): Promise<ReplicaRun> => {
      const limiting = limits.slice(0, gateways.length);
      await runPulls(gateways, REMOTE, Math.max(1, benchSeconds() / 4), pullClients());
      const from = await counters.snapshot();
      const throttledFrom = limiting.map((quota) => quota.throttledSeconds());
      const run = await runPulls(gateways, REMOTE, benchSeconds(), pullClients());
      const use = await counters.since(from);
      const cpu = run.perGateway.map((_, i) => use.cpu[`gateway-${i}`]);
      return {
        ...run,
        gatewayCpuPerPull: run.perGateway.map((pulls, i) => round(cpu[i] / Math.max(1, pulls), 5)),
        gatewayCores: cpu.map((seconds) => round(seconds / run.seconds, 2)),
        ...(limiting.length > 0 && { throttledSeconds: limiting.map((quota, i) => round(quota.throttledSeconds() - throttledFrom[i], 1)) }),
      };
    };
    // Both replicas warm before any row: a replica measured cold spent 0.008 CPU seconds a pull, the
    // warm one beside it 0.006 (V8 still compiling its paths, the broker's JIT as well).
    await runPulls(hub.gateways, REMOTE, 3 * benchSeconds(), pullClients());
    const one = await measure([hub.gateways[0]]);
    const two = await measure(hub.gateways);
    const cores = replicaCores();
    for (const [i] of hub.gateways.entries()) {
      const quota = CpuQuota.create(`dockyard-bench-gateway-${i}`, cores);
      if (!quota) break;
      quotas.push(quota);
      quota.add(hub.processes.get(`gateway-${i}`)!.pid!);
    }
    if (quotas.length < hub.gateways.length) return { one, two };
    return { one, two, limited: { cores, one: await measure([hub.gateways[0]], quotas), two: await measure(hub.gateways, quotas) } };
  } finally {
    await counters.close();
    await hub.stop();
    for (const quota of quotas) quota.remove();
  }
}

const row = (replicas: number, run: ReplicaRun) =>
  `| ${replicas} | **${run.pullsPerSecond}** | ${run.p50Ms} ms / ${run.p99Ms} ms | ${run.perGateway.join(' / ')} | ${run.gatewayCpuPerPull.join(' / ')} | ${run.gatewayCores.join(' / ')} | ${run.errors} |`;

export function reportReplicas(replicas: ReplicasBench): string {
  const { one, two, limited } = replicas;
  const limitedPart = limited
    ? `
**Each replica limited to ${limited.cores} of a core** (a CFS quota on its cgroup, as Kubernetes enforces a pod's
\`limits.cpu: ${Math.round(limited.cores * 1000)}m\`; \`bench/cpu-quota.ts\`), the same hub and clients right after the rows above. Here a
replica, not the machine, is the limit, as on a hub whose replicas each have their own small machine:

| gateway replicas (${limited.cores} core each) | pulls/s | pull p50 / p99 | pulls per replica | gateway CPU seconds per pull, per replica | cores used, per replica | failed |
|---|---|---|---|---|---|---|
${row(1, limited.one)}
${row(2, limited.two)}

With a second limited replica the hub carries **${round(limited.two.pullsPerSecond / limited.one.pullsPerSecond, 2)}×** the pulls/s of one (seconds spent waiting for quota: ${limited.one.throttledSeconds!.join(' / ')} with one replica, ${limited.two.throttledSeconds!.join(' / ')} with two).
`
    : `
The rows with each replica limited to a fraction of a core did not run: this machine let the bench
make no CPU cgroup (it needs Linux, root and the cgroup \`cpu\` controller).
`;
  return `## Gateway replicas (distributed)

The pull of the section above (${one.clients} virtual clients, ${one.seconds} s per row) against a distributed hub
with two gateway replicas, each its own process on its own port: first every client on replica 1,
then the clients split over both (client i on replica i mod 2, its keep-alive connection staying there).

| gateway replicas | pulls/s | pull p50 / p99 | pulls per replica | gateway CPU seconds per pull, per replica | cores used, per replica | failed |
|---|---|---|---|---|---|---|
${row(1, one)}
${row(2, two)}

Unlimited, two replicas give **${round(two.pullsPerSecond / one.pullsPerSecond, 2)}×** the pulls/s of one. Read this honestly: this machine has
${cpus().length} cores and the client, PostgreSQL, Kafka, the five services and both replicas share them, so a second
unlimited replica adds no CPU; it only helps where one replica's own event loop was the limit.
${limitedPart}`;
}
