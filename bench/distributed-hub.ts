import { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { BENCH_ADMIN_ENV, benchPort, startBuild, stopAll, waitFor } from './hub-processes';

const ROOT = resolve(__dirname, '../..');
export const SERVICES = ['projector', 'accounts', 'repositories', 'images', 'tokens'] as const;

export interface BenchHub {
  /** Base URL of each gateway replica. */
  gateways: string[];
  /** Every process by name (`gateway-0`, `gateway-1`, ... for the replicas). */
  processes: Map<string, ChildProcess>;
  topicPrefix: string;
  stop(): Promise<void>;
}

/**
 * The distributed hub the benches measure: every app its own process (each gateway replica on its own
 * port from BENCH_PORT_BASE + `portOffset`), Kafka between them, one PostgreSQL database.
 */
export async function startDistributedHub(options: {
  databaseUrl: string;
  brokers: string[];
  name: string;
  portOffset: number;
  gateways?: number;
  root?: string;
}): Promise<BenchHub> {
  const root = options.root ?? ROOT;
  const topicPrefix = `bench${options.name}${Date.now()}`;
  const env = {
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: topicPrefix,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(ROOT, '.test-runs', `bench-${options.name}`),
    DOCKYARD_PG_POOL_SIZE: '6',
    ...BENCH_ADMIN_ENV,
    // Replicas name cached credentials alike; each process its own (any free) health port.
    DOCKYARD_CREDENTIAL_CACHE_KEY: 'bench-credential-cache-key',
    // As every deployment sets it (compose, k8s Secret): the gateways sign and check tokens themselves.
    DOCKYARD_TOKEN_KEY: 'bench-token-master-key-0123456789abcdef',
    HEALTH_PORT: '0',
    HEALTH_HOST: '127.0.0.1',
  };
  const processes = new Map<string, ChildProcess>(SERVICES.map((app) => [app, startBuild(root, `dist/apps/${app}/src/main.js`, env)]));
  const gateways: string[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    const port = benchPort(options.portOffset + i);
    processes.set(`gateway-${i}`, startBuild(root, 'dist/apps/gateway/src/main.js', { ...env, PORT: String(port), HOST: '127.0.0.1' }));
    gateways.push(`http://127.0.0.1:${port}`);
  }
  const stop = () => stopAll([...processes.values()]);
  try {
    for (const url of gateways) await waitFor(`${url}/v1/_ping`, 120000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { gateways, processes, topicPrefix, stop };
}
