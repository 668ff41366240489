import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@dockyard/runtime';
import { benchEventStore } from './event-store.bench';
import { benchLogin } from './login.bench';
import { benchRelayLatency } from './relay-latency.bench';

const ROOT = resolve(__dirname, '../..');

async function database(adminUrl: string, name: string): Promise<string> {
  const admin = new Client(adminUrl);
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** `npm run bench`: measures, then rewrites docs/benchmarks.md with the figures of this run. */
async function main(): Promise<void> {
  const runDir = resolve(ROOT, '.test-runs', `bench-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const pg = await startEmbeddedPostgres({ dataDir: resolve(runDir, 'pg'), port: 25432, database: 'postgres' });
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  try {
    console.log('event store appends ...');
    const eventStore = await benchEventStore(await database(pg.url, 'bench_store'));
    console.log(eventStore);
    console.log('relay latency ...');
    const relay = await benchRelayLatency(await database(pg.url, 'bench_relay'), brokers);
    console.log(relay);
    console.log('login read path ...');
    const login = await benchLogin(await database(pg.url, 'bench_login'));
    console.log(login);
    writeFileSync(resolve(ROOT, 'docs/benchmarks.md'), report(eventStore, relay, login));
  } finally {
    await pg.stop();
  }
}

function report(store: Record<string, number>, relay: Record<string, number>, login: Record<string, number>): string {
  return `# Benchmarks

Written by \`npm run bench\` (scripts/bench.sh: builds, starts Kafka, runs \`dist/bench/run.js\`).
Every figure is a ratio against a baseline measured in the same run on the same machine; these
machines are noisy (±20 %), so each figure is the median of 3 runs. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'},
Node ${process.version}, embedded PostgreSQL 18 (fsync on), Apache Kafka 3.9.2 single node. Run ${new Date().toISOString()}.

## Event store: appends against plain batched INSERTs

600 appends of 5 events each (new streams), 4 concurrent writers, against the same rows as plain
multi-row INSERTs in one transaction each through \`pg\`. Target (DESIGN §8): ratio ≥ 0.5.

| | events/s |
|---|---|
| event store (\`EventStore.append\`: expected version, hash chain, NOTIFY) | ${store.eventStoreEventsPerSecond} |
| plain batched INSERT | ${store.plainInsertEventsPerSecond} |
| **ratio** | **${store.ratio}** |

## Outbox relay: commit to Kafka consumer

${relay.samples} single-event appends at ~100/s; time from the append's commit to its arrival at a
kafkajs consumer (NOTIFY wake-up, relay read, produce with acks=all, consumer fetch). Target: p99 < 50 ms.

| p50 | p99 |
|---|---|
| ${relay.p50Ms} ms | ${relay.p99Ms} ms |

## \`GET /v1/users/\` with a warm credential cache

Standalone hub (one process) against bare Fastify running the same SQL on the same read model;
autocannon, 50 connections, 8 s per run, client on the same 2-core machine (so both sides share the CPU).

| | requests/s |
|---|---|
| gateway (Nest + Fastify, Basic parse, HMAC cache, one indexed read) | ${login.gatewayRequestsPerSecond} |
| bare Fastify, same SQL | ${login.bareFastifyRequestsPerSecond} |
| **ratio** | **${login.ratio}** |
| gateway latency p50 / p99 at that load | ${login.gatewayP50Ms} ms / ${login.gatewayP99Ms} ms |
`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
