import { Pool, PoolClient, PoolConfig } from 'pg';
import { MessageBus } from '@dockyard/messaging';
import { HubConfig, databaseUrlFor } from './hub-config';
import { Logger } from './logger';
import { StatementNames, preparingClient } from './prepared-statements';

/**
 * What a service needs from its surroundings, built once by `main.ts`: the same service code runs
 * with the in-process bus and one embedded PostgreSQL (standalone) or Kafka and its own database
 * (distributed).
 */
export interface HubRuntime {
  config: HubConfig;
  bus: MessageBus;
  logger: Logger;
  /** One pool per database URL, shared by the services of this process. */
  pool(service: string): Pool;
  /** Every pool made so far, named by the services that use it (`/readyz` checks each; a URL could hold a password). */
  pools(): { name: string; pool: Pool }[];
  close(): Promise<void>;
}

export const HUB_RUNTIME = Symbol('HubRuntime');

/**
 * Every execution of a prepared statement is planned for its values and the table as it is now.
 * In PostgreSQL's default mode a statement run five times on a connection keeps a generic plan, made
 * once; a hub's tables start empty, and a plan made after autovacuum's first ANALYZE (a table of a
 * few rows) is a sequential scan, kept by that connection until the next ANALYZE. Measured here:
 * the audit's dedupe lookup of an activity batch (`activity_id = ANY($1)`) scanned the whole feed
 * on every batch, 5–9 s of a core in a 12 s pull run, and such a lookup took 100–180 ms a call on
 * 200,000 rows. Planning each time costs 30–60 µs of the backend a lookup; the statements stay
 * prepared (parsed and analysed once). A DATABASE_URL with its own `options` replaces this.
 */
const PLAN_EVERY_EXECUTION = '-c plan_cache_mode=force_custom_plan';

/**
 * How the hub's pools connect: its session options and prepared statements. Also for a worker
 * thread's own pool (a Pool cannot cross threads).
 */
export function hubPoolConfig(url: string, max: number, Client = preparingClient(new StatementNames())): PoolConfig {
  return { connectionString: url, max, Client, options: PLAN_EVERY_EXECUTION };
}

/**
 * Logs a pool's connection errors instead of letting them end the process. pg-pool removes its own
 * 'error' listener while a client is checked out, and a pg Client emits 'error' when its server
 * goes away (PostgreSQL restarting) even if the query in flight is rejected too: with no listener,
 * that event is an uncaught exception. The query's rejection is what callers handle; this only logs.
 */
export function logPoolErrors(pool: Pool, logger: Pick<Logger, 'error' | 'warn'>): void {
  pool.on('error', (error) => logger.error({ err: error }, 'idle PostgreSQL client failed'));
  pool.on('connect', (client) => client.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL connection lost')));
}

export function createHubRuntime(config: HubConfig, bus: MessageBus, logger: Logger): HubRuntime {
  const pools = new Map<string, Pool>();
  const users = new Map<string, Set<string>>();
  /** Clients whose connection is open: `pool.end()` resolves once it has asked them to close, not once they have. */
  const open = new Set<PoolClient>();
  const PreparingClient = preparingClient(new StatementNames());
  return {
    config,
    bus,
    logger,
    pool(service: string): Pool {
      const url = databaseUrlFor(config, service);
      users.set(url, (users.get(url) ?? new Set()).add(service));
      let pool = pools.get(url);
      if (!pool) {
        pool = new Pool(hubPoolConfig(url, Number(process.env.DOCKYARD_PG_POOL_SIZE ?? 10), PreparingClient));
        logPoolErrors(pool, logger);
        pool.on('connect', (client) => {
          open.add(client);
          client.once('end', () => open.delete(client));
        });
        pools.set(url, pool);
      }
      return pool;
    },
    pools: () => [...pools].map(([url, pool]) => ({ name: [...(users.get(url) ?? [])].join('+'), pool })),
    async close() {
      await bus.close();
      await Promise.all([...pools.values()].map((pool) => pool.end()));
      pools.clear();
      // Until its backend has read the goodbye, a session is still the server's: a server stopped
      // right after (the standalone hub stops its embedded PostgreSQL next) tells it "terminating
      // connection due to administrator command", which the client reports as a lost connection.
      await Promise.all([...open].map((client) => new Promise((ended) => client.once('end', ended))));
    },
  };
}
