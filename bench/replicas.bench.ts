import { cpus } from 'node:os';
import { startDistributedHub } from './distributed-hub';
import { pushImage, register, threeLayerImage } from './docker-pull';
import { HttpClient } from './http-client';
import { basicAuth } from './hub-processes';
import { PULLER, PullRun, runPulls } from './pull-load';
import { REMOTE, benchSeconds, pullClients } from './pull.bench';
import { ResourceCounters } from './resource-counters';
import { round } from './stats';

export interface ReplicaRun extends PullRun {
  /** CPU seconds each gateway replica used per pull it answered. */
  gatewayCpuPerPull: number[];
}

export interface ReplicasBench {
  one: ReplicaRun;
  two: ReplicaRun;
}

/**
 * The distributed hub with two gateway replicas (each its own process and port): the pull load on
 * one of them, then split over both (client i on replica i mod 2). On this machine both replicas,
 * the services, PostgreSQL, Kafka and the client share the same cores, so the second replica can
 * only show how much of the first one's limit was the gateway itself.
 */
export async function benchReplicas(databaseUrl: string, brokers: string[]): Promise<ReplicasBench> {
  const hub = await startDistributedHub({ databaseUrl, brokers, name: 'replicas', portOffset: 181, gateways: 2 });
  const counters = new ResourceCounters(databaseUrl, brokers, hub.topicPrefix, hub.processes);
  await counters.open();
  try {
    const client = new HttpClient(hub.gateways[0], 1);
    await register(client, PULLER.username);
    await pushImage(client, REMOTE, basicAuth(PULLER.username, PULLER.password), await threeLayerImage('app'));
    client.close();
    const measure = async (gateways: string[]): Promise<ReplicaRun> => {
      await runPulls(gateways, REMOTE, Math.max(1, benchSeconds() / 4), pullClients());
      const from = await counters.snapshot();
      const run = await runPulls(gateways, REMOTE, benchSeconds(), pullClients());
      const use = await counters.since(from);
      return { ...run, gatewayCpuPerPull: run.perGateway.map((pulls, i) => round(use.cpu[`gateway-${i}`] / Math.max(1, pulls), 5)) };
    };
    return { one: await measure([hub.gateways[0]]), two: await measure(hub.gateways) };
  } finally {
    await counters.close();
    await hub.stop();
  }
}

export function reportReplicas(replicas: ReplicasBench): string {
  const { one, two } = replicas;
  return `## Gateway replicas (distributed)

The pull of the section above (${one.clients} virtual clients, ${one.seconds} s per row) against a distributed hub
with two gateway replicas, each its own process on its own port: first every client on replica 1,
then the clients split over both (client i on replica i mod 2, its keep-alive connection staying there).

| gateway replicas | pulls/s | pull p50 / p99 | pulls per replica | gateway CPU seconds per pull, per replica | failed |
|---|---|---|---|---|---|
| 1 | **${one.pullsPerSecond}** | ${one.p50Ms} ms / ${one.p99Ms} ms | ${one.perGateway.join(' / ')} | ${one.gatewayCpuPerPull[0]} | ${one.errors} |
| 2 | **${two.pullsPerSecond}** | ${two.p50Ms} ms / ${two.p99Ms} ms | ${two.perGateway.join(' / ')} | ${two.gatewayCpuPerPull.join(' / ')} | ${two.errors} |

Two replicas give **${round(two.pullsPerSecond / one.pullsPerSecond, 2)}×** the pulls/s of one. Read this honestly: this machine has
${cpus().length} cores and the client, PostgreSQL, Kafka, the five services and both replicas share them, so a second
replica adds no CPU; it only helps where one replica's own event loop was the limit. What scales is the
gateway CPU per pull (above, and in the capacity model): on separate machines each replica brings
its own cores.
`;
}
