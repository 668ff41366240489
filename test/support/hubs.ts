import { chmodSync, mkdtempSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestDatabase, freePort, testKafkaBrokers, uniqueTopicPrefix } from '../../libs/testing/src';
import { HubProcess, logsOf, waitForGateway } from './hub-process';

/** A running hub as the end-to-end suites see it: one or more gateway URLs and its data folder. */
export interface TestHub {
  mode: 'standalone' | 'distributed';
  urls: string[];
  dataDir: string;
  processes: HubProcess[];
  /** Distributed mode only: each process's HEALTH_PORT base URL (`/healthz`, `/readyz`, `/metrics`), in `processes` order. */
  healthUrls?: string[];
  /** Distributed mode only: the hub's database, for checks on the read models. */
  databaseUrl?: string;
  /** Distributed mode only: the environment every app was started with (to restart one of them). */
  env?: Record<string, string>;
  stop(): Promise<void>;
}

export interface HubOptions {
  requireConfirmation?: boolean;
  /** The bootstrap admin's username (DOCKYARD_ADMIN_USERNAME); its password is TEST_ADMIN_PASSWORD. */
  admin?: string;
  gateways?: number;
  projectors?: number;
  dataDir?: string;
  pgPort?: number;
  registryEndpoints?: string;
  /** Extra environment for every process (e.g. the S3 blob store settings). */
  env?: Record<string, string>;
  /** Distributed mode: this database instead of a fresh one on the run's PostgreSQL. */
  databaseUrl?: string;
  /** Distributed mode: these brokers instead of the run's. */
  kafkaBrokers?: string[];
  /** Standalone mode: the hub leads a process group of its own (`HubProcess.interrupt`). */
  ownProcessGroup?: boolean;
}

const RUNS = resolve(__dirname, '../../.test-runs');

/** Every test hub creates its admin at start, as an operator would (README: DOCKYARD_ADMIN_PASSWORD). */
export const TEST_ADMIN_PASSWORD = 'secret1';
export const DEFAULT_TEST_ADMIN = 'hub_root';

const settings = (options: HubOptions): Record<string, string> => ({
  DOCKYARD_REQUIRE_CONFIRMATION: String(options.requireConfirmation ?? true),
  DOCKYARD_ADMIN_USERNAME: options.admin ?? DEFAULT_TEST_ADMIN,
  DOCKYARD_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
  DOCKYARD_CREDENTIAL_CACHE_KEY: 'test-key',
  DOCKYARD_REGISTRY_ENDPOINTS: options.registryEndpoints ?? '',
  ...options.env,
});

/**
 * A fresh data folder. mkdtemp makes it 0700; run as root, the hub's embedded PostgreSQL (user
 * `postgres`) must enter it, and the hub never changes folders it did not create: the harness,
 * which created it, opens it.
 */
export const newDataDir = (): string => {
  const dir = mkdtempSync(resolve(RUNS, 'hub-'));
  chmodSync(dir, 0o755);
  return dir;
};

/**
 * Stops the processes, then fails if any of them logged a rejection nobody awaited (the process
 * guard keeps serving after one, so only its log line shows the bug).
 */
async function stopAll(processes: HubProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop()));
  const guilty = processes.filter((p) => p.loggedUnhandledRejection);
  if (guilty.length > 0) {
    throw new Error(`unhandled rejection logged by ${logsOf(guilty)}`);
  }
}

/** `npm start`'s process: everything in one, on its own embedded PostgreSQL in `dataDir`. */
export async function startStandaloneHub(options: HubOptions = {}): Promise<TestHub & { pgPort: number }> {
  const dataDir = options.dataDir ?? newDataDir();
  const port = await freePort();
  const pgPort = options.pgPort ?? (await freePort());
  const hub = HubProcess.start('standalone', {
    ...settings(options),
    PORT: String(port),
    HOST: '127.0.0.1',
    DOCKYARD_DATA: dataDir,
    DOCKYARD_PG_PORT: String(pgPort),
    DATABASE_URL: '',
  }, { ownProcessGroup: options.ownProcessGroup });
  const url = `http://127.0.0.1:${port}`;
  await waitForGateway(url, [hub]);
  return { mode: 'standalone', urls: [url], dataDir, processes: [hub], pgPort, stop: () => stopAll([hub]) };
}

/** Every app its own process, Kafka between them (topics under a fresh prefix), one fresh database. */
export async function startDistributedHub(options: HubOptions = {}): Promise<TestHub> {
  const dataDir = options.dataDir ?? newDataDir();
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase('hub'));
  const env = {
    // The master key of repository tokens, as an operator sets it for every app (a test may override it, or give '' to leave it unset).
    DOCKYARD_TOKEN_KEY: 'test-token-master-key',
    ...settings(options),
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: (options.kafkaBrokers ?? testKafkaBrokers()).join(','),
    DOCKYARD_TOPIC_PREFIX: uniqueTopicPrefix('e2e'),
    DOCKYARD_DATA: dataDir,
    DOCKYARD_PG_POOL_SIZE: '4',
  };
  const processes: HubProcess[] = [];
  const healthUrls: string[] = [];
  const start = async (app: string, appEnv: Record<string, string>) => {
    const healthPort = await freePort();
    processes.push(HubProcess.start(app, { ...appEnv, HEALTH_PORT: String(healthPort), HEALTH_HOST: '127.0.0.1' }));
    healthUrls.push(`http://127.0.0.1:${healthPort}`);
  };
  for (let i = 0; i < (options.projectors ?? 1); i++) await start('projector', env);
  for (const app of ['accounts', 'repositories', 'images', 'tokens']) await start(app, env);
  const urls: string[] = [];
  for (let i = 0; i < (options.gateways ?? 1); i++) {
    const port = await freePort();
    await start('gateway', { ...env, PORT: String(port), HOST: '127.0.0.1' });
    urls.push(`http://127.0.0.1:${port}`);
  }
  const stop = async () => {
    await stopAll(processes);
  };
  try {
    for (const url of urls) await waitForGateway(url, processes, 90000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { mode: 'distributed', urls, dataDir, processes, healthUrls, databaseUrl, env, stop };
}
