import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_TOPIC_PREFIX } from '@dockyard/contracts';

/** Every setting of the hub, read once from the environment (README "Configuration" lists them). */
export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  /** URL used by every service that has no URL of its own; unset in standalone mode = embedded. */
  databaseUrl: string | undefined;
  /** Per-service overrides: ACCOUNTS_DATABASE_URL, READ_DATABASE_URL, ... */
  serviceDatabaseUrls: Record<string, string | undefined>;
  embeddedPostgresPort: number;
  kafkaBrokers: string[];
  /** Replication of the topics the services create: 3 (and min.insync.replicas=2) in a cluster. */
  kafkaReplicationFactor: number;
  topicPrefix: string;
  requireConfirmation: boolean;
  /** The operator's admin account, created at start-up when a password is given (Harbor's way). */
  adminUsername: string;
  adminPassword: string | undefined;
  /** Variables that once granted roles by name and now grant nothing: start-up warns about them. */
  retiredRoleVariables: string[];
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  logLevel: string;
  /** Key for the keyed hash that names cached credentials; random per process unless set. */
  credentialCacheKey: Buffer;
  readYourWritesTimeoutMs: number;
  commandTimeoutMs: number;
  /** How long the gateway gathers activity (pulls, pushes, fetches, logins) before sending it as one batch. */
  activityFlushMs: number;
  /** Lifetime of repository access tokens: long enough for a long push (Quay: one day). */
  tokenTtlSeconds: number;
  /** `host:port` entries sent in X-Docker-Endpoints; empty = the request's own host. */
  registryEndpoints: string[];
  /** A connection whose client sends nothing for this long (headers, body, keep-alive) is dropped. */
  idleTimeoutMs: number;
  /** Where a distributed process serves /healthz, /readyz and /metrics (HEALTH_PORT, HEALTH_HOST). */
  healthPort: number;
  healthHost: string;
  /** `/readyz` fails while a consumer group of the process lags more than this (DOCKYARD_READY_MAX_LAG_MS). */
  readyMaxLagMs: number;
  /**
   * Which proxies' `X-Forwarded-For` names the client (Fastify's `trustProxy`): false (the peer is
   * the client), true (any), a hop count, or a comma list of addresses / CIDRs.
   */
  trustProxy: boolean | number | string;
  /** Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints; unset: generated once and kept in schema `read`. */
  auditSigningKey: string | undefined;
}

const flag = (value: string | undefined, fallback: boolean): boolean =>
  value === undefined || value === '' ? fallback : !['0', 'false', 'no', 'off'].includes(value.toLowerCase());

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** DOCKYARD_TRUST_PROXY: unset/false → false, true → true, a number → hops, else addresses / CIDRs. */
function trustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value.trim() === '' || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  return list(value).join(',');
}

/** DOCKYARD_ADMIN_PASSWORD, or the first line of the file DOCKYARD_ADMIN_PASSWORD_FILE names (a Secret). */
function adminPassword(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKYARD_ADMIN_PASSWORD) return env.DOCKYARD_ADMIN_PASSWORD;
  if (!env.DOCKYARD_ADMIN_PASSWORD_FILE) return undefined;
  return readFileSync(env.DOCKYARD_ADMIN_PASSWORD_FILE, 'utf8').split(/\r?\n/)[0];
}

/** How long a gateway gathers activity before sending it as one batch, unless DOCKYARD_ACTIVITY_FLUSH_MS says. */
export const DEFAULT_ACTIVITY_FLUSH_MS = 50;

export function loadHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const port = Number(env.PORT ?? 5000);
  const dataDir = resolve(env.DOCKYARD_DATA ?? '.dockyard');
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    serviceDatabaseUrls: {
      accounts: env.ACCOUNTS_DATABASE_URL || undefined,
      repositories: env.REPOSITORIES_DATABASE_URL || undefined,
      images: env.IMAGES_DATABASE_URL || undefined,
      tokens: env.TOKENS_DATABASE_URL || undefined,
      read: env.READ_DATABASE_URL || undefined,
    },
    embeddedPostgresPort: Number(env.DOCKYARD_PG_PORT ?? 54329),
    kafkaBrokers: list(env.KAFKA_BROKERS ?? '127.0.0.1:9092'),
    kafkaReplicationFactor: Number(env.KAFKA_REPLICATION_FACTOR ?? 1),
    topicPrefix: env.DOCKYARD_TOPIC_PREFIX || DEFAULT_TOPIC_PREFIX,
    requireConfirmation: flag(env.DOCKYARD_REQUIRE_CONFIRMATION, true),
    adminUsername: env.DOCKYARD_ADMIN_USERNAME || 'admin',
    adminPassword: adminPassword(env),
    retiredRoleVariables: ['DOCKYARD_ADMINS', 'DOCKYARD_AUDITORS'].filter((name) => env[name]),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.DOCKYARD_MAIL_FROM ?? 'Dockyard <no-reply@dockyard.local>',
    publicUrl: (env.DOCKYARD_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    credentialCacheKey: env.DOCKYARD_CREDENTIAL_CACHE_KEY
      ? Buffer.from(env.DOCKYARD_CREDENTIAL_CACHE_KEY)
      : randomBytes(32),
    readYourWritesTimeoutMs: Number(env.DOCKYARD_READ_YOUR_WRITES_TIMEOUT_MS ?? 5000),
    commandTimeoutMs: Number(env.DOCKYARD_COMMAND_TIMEOUT_MS ?? 10000),
    activityFlushMs: Number(env.DOCKYARD_ACTIVITY_FLUSH_MS || DEFAULT_ACTIVITY_FLUSH_MS),
    tokenTtlSeconds: Number(env.DOCKYARD_TOKEN_TTL_SECONDS ?? 86400),
    registryEndpoints: list(env.DOCKYARD_REGISTRY_ENDPOINTS),
    idleTimeoutMs: Number(env.DOCKYARD_IDLE_TIMEOUT_MS || 30000),
    healthPort: Number(env.HEALTH_PORT || 9464),
    healthHost: env.HEALTH_HOST || '0.0.0.0',
    readyMaxLagMs: Number(env.DOCKYARD_READY_MAX_LAG_MS || 30000),
    trustProxy: trustProxy(env.DOCKYARD_TRUST_PROXY),
    auditSigningKey: env.DOCKYARD_AUDIT_SIGNING_KEY?.replace(/\\n/g, '\n') || undefined,
  };
}

/** The database a service (or `read` for the read models) uses. */
export function databaseUrlFor(config: HubConfig, service: string): string {
  const url = config.serviceDatabaseUrls[service] ?? config.databaseUrl;
  if (!url) throw new Error(`no database configured for ${service}: set DATABASE_URL or ${service.toUpperCase()}_DATABASE_URL`);
  return url;
}
