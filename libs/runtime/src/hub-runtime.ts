import { Pool } from 'pg';
import { MessageBus } from '@dockyard/messaging';
import { HubConfig, databaseUrlFor } from './hub-config';
import { Logger } from './logger';

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

export function createHubRuntime(config: HubConfig, bus: MessageBus, logger: Logger): HubRuntime {
  const pools = new Map<string, Pool>();
  const users = new Map<string, Set<string>>();
  return {
    config,
    bus,
    logger,
    pool(service: string): Pool {
      const url = databaseUrlFor(config, service);
      users.set(url, (users.get(url) ?? new Set()).add(service));
      let pool = pools.get(url);
      if (!pool) {
        pool = new Pool({ connectionString: url, max: Number(process.env.DOCKYARD_PG_POOL_SIZE ?? 10) });
        pool.on('error', (error) => logger.error({ err: error }, 'idle PostgreSQL client failed'));
        pools.set(url, pool);
      }
      return pool;
    },
    pools: () => [...pools].map(([url, pool]) => ({ name: [...(users.get(url) ?? [])].join('+'), pool })),
    async close() {
      await bus.close();
      await Promise.all([...pools.values()].map((pool) => pool.end()));
      pools.clear();
    },
  };
}
