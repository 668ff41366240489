import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '@dockyard/runtime';
import { benchAudit, reportAudit } from './audit.bench';
import { benchCommandRoundTrip } from './command-round-trip.bench';
import { benchEventStore } from './event-store.bench';
import { NOTIFY_CONCURRENCY, benchNotificationLock } from './notification-lock.bench';
import { benchImagesRead } from './images-read.bench';
import { benchLayers } from './layers.bench';
import { benchPushSequence } from './push-sequence.bench';
import { benchLogin } from './login.bench';
import { benchRelayLatency } from './relay-latency.bench';
import { benchSearch } from './search.bench';
import { benchStandaloneWrites } from './standalone-writes.bench';
import { benchRebuild, reportRebuild } from './rebuild.bench';
import { benchAuditFeed, reportAuditFeed } from './audit-feed.bench';
import { drainActivityMessages, reportActivityMessages } from './activity-messages.bench';
import { benchSoak, reportSoak } from './soak.bench';
import { capacitySummary, reportCapacity } from './capacity';
import { writeSections } from './doc-sections';
import { benchPort } from './hub-processes';
import { deleteBenchTopics } from './bench-topics';
import { PullBench, benchPull, reportPull } from './pull.bench';
import { ReplicasBench, benchReplicas, reportReplicas } from './replicas.bench';

const ROOT = resolve(__dirname, '../..');
const DOC = resolve(ROOT, 'docs/benchmarks.md');

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

interface BenchContext {
  database(name: string): Promise<string>;
  brokers: string[];
  /** Figures of benches that ran earlier in this run, by bench name (the capacity model reads them). */
  results: Map<string, unknown>;
}

/** A bench of `npm run bench -- <name> ...`: measures, logs its figures, and returns its section of docs/benchmarks.md. */
interface Bench {
  name: string;
  what: string;
  run(context: BenchContext): Promise<string>;
}

const logged = <T>(figures: T): T => {
  console.log(figures);
  return figures;
};

/**
 * The same bench on the build at BENCH_BASELINE_ROOT, when set: its own bench code (`file`'s export
 * `name`) and its own apps, on a database of its own, with the brokers when `withBrokers`.
 */
async function onBaseline(
  context: BenchContext,
  file: string,
  name: string,
  withBrokers: boolean,
): Promise<Record<string, number> | undefined> {
  const root = process.env.BENCH_BASELINE_ROOT;
  if (!root) return undefined;
  const bench = require(resolve(root, 'dist/bench', file))[name];
  const database = await context.database(`bench_${name.toLowerCase()}_baseline`);
  return logged(await (withBrokers ? bench(database, context.brokers) : bench(database)));
}

/** Every bench, in the order `npm run bench` (no names) runs them. */
const BENCHES: Bench[] = [
  {
    name: 'store',
    what: 'event store appends',
    run: async (c) => reportStore(logged(await benchEventStore(await c.database('bench_store')))),
  },
  {
    name: 'notify',
    what: 'PostgreSQL notification lock',
    run: async (c) => reportNotificationLock(logged(await benchNotificationLock(await c.database('bench_notify')))),
  },
  {
    name: 'relay',
    what: 'relay latency',
    run: async (c) =>
      reportRelay(logged(await benchRelayLatency(await c.database('bench_relay'), c.brokers))),
  },
  {
    name: 'command',
    what: 'command round trip (Kafka, bus alone and through Nest)',
    run: async (c) => reportCommand(logged(await benchCommandRoundTrip(c.brokers))),
  },
  {
    name: 'login',
    what: 'login read path',
    run: async (c) => reportLogin(logged(await benchLogin(await c.database('bench_login')))),
  },
  {
    name: 'images',
    what: 'images read path and scale',
    run: async (c) => reportImages(logged(await benchImagesRead(await c.database('bench_images')))),
  },
  {
    name: 'push',
    what: 'push sequence (distributed)',
    run: async (c) =>
      reportPush(
        logged(await benchPushSequence(await c.database('bench_push'), c.brokers)),
        await onBaseline(c, 'push-sequence.bench.js', 'benchPushSequence', true),
      ),
  },
  {
    name: 'pull',
    what: 'docker pull conversation (standalone and distributed) and GET .../images side by side',
    run: async (c) => {
      const pull = await benchPull((name) => c.database(name), c.brokers);
      console.log(JSON.stringify(pull));
      c.results.set('pull', pull);
      return reportPull(pull);
    },
  },
  {
    name: 'replicas',
    what: 'one and two gateway replicas (distributed)',
    run: async (c) => {
      const replicas = logged(await benchReplicas(await c.database('bench_replicas'), c.brokers));
      c.results.set('replicas', replicas);
      return reportReplicas(replicas);
    },
  },
  {
    name: 'search',
    what: 'search at 10k and 1M repositories',
    run: async (c) => reportSearch(logged(await benchSearch(await c.database('bench_search')))),
  },
  {
    name: 'writes',
    what: 'standalone write path',
    run: async () => reportWrites(logged(await benchStandaloneWrites(ROOT, benchPort(131)))),
  },
  {
    name: 'layers',
    what: 'layers (and the baseline build, BENCH_BASELINE_ROOT)',
    run: async (c) =>
      reportLayers(
        logged(await benchLayers(await c.database('bench_layers'))),
        await onBaseline(c, 'layers.bench.js', 'benchLayers', false),
      ),
  },
  {
    name: 'soak',
    what: 'soak (distributed, SOAK_SECONDS)',
    run: async (c) => reportSoak(logged(await benchSoak(await c.database('bench_soak'), c.brokers))),
  },
  {
    name: 'rebuild',
    what: 'read model rebuild',
    run: async (c) => reportRebuild(logged(await benchRebuild(await c.database('bench_rebuild'), c.brokers))),
  },
  {
    name: 'audit-feed',
    what: 'audit feed throughput (distributed)',
    run: async (c) => reportAuditFeed(logged(await benchAuditFeed(await c.database('bench_audit_feed'), c.brokers))),
  },
  {
    name: 'activity',
    what: 'activity messages into the audit feed and the counts (this build and the baseline)',
    run: async (c) => {
      const build = logged(await drainActivityMessages(ROOT, await c.database('bench_activity'), c.brokers));
      const baselineRoot = process.env.BENCH_BASELINE_ROOT;
      const baseline = baselineRoot
        ? logged(await drainActivityMessages(resolve(baselineRoot), await c.database('bench_activity_baseline'), c.brokers))
        : undefined;
      return reportActivityMessages({ build, baseline, baselineRoot });
    },
  },
  {
    name: 'audit',
    what: 'audit read model at scale',
    run: async (c) => reportAudit(logged(await benchAudit(await c.database('bench_audit')))),
  },
];

/**
 * `npm run bench [-- <name> ...]`: runs the named benches (all of them without names) and rewrites
 * their sections of docs/benchmarks.md, keeping the sections of the others.
 */
async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const unknown = names.filter((name) => !BENCHES.some((bench) => bench.name === name));
  if (unknown.length > 0)
    throw new Error(
      `no bench named ${unknown.join(', ')}; the benches: ${BENCHES.map((b) => b.name).join(' ')}`,
    );
  const chosen = names.length === 0 ? BENCHES : BENCHES.filter((bench) => names.includes(bench.name));
  const runDir = resolve(ROOT, '.test-runs', `bench-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  // The bench's own PostgreSQL, on BENCH_PORT_BASE + 19832 (25432 by default).
  const pg = await startEmbeddedPostgres({
    dataDir: resolve(runDir, 'pg'),
    port: benchPort(19832),
    database: 'postgres',
  });
  const context: BenchContext = {
    database: (name) => database(pg.url, name),
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    results: new Map(),
  };
  const sections = new Map<string, string>([['header', header()]]);
  const stamp = (name: string) =>
    `\n\n_Measured ${new Date().toISOString()} by \`npm run bench -- ${name}\`._`;
  const left = await deleteBenchTopics(context.brokers);
  if (left > 0) console.log(`deleted ${left} topics earlier benches left on the broker`);
  try {
    for (const bench of chosen) {
      console.log(`${bench.name}: ${bench.what} ...`);
      sections.set(bench.name, (await bench.run(context)).trim() + stamp(bench.name));
      // Written after each bench, so a later failure keeps what was measured.
      writeSections(DOC, sections);
    }
    const pull = context.results.get('pull') as PullBench | undefined;
    if (pull) {
      console.log(capacitySummary(pull));
      sections.set(
        'capacity',
        reportCapacity(pull, context.results.get('replicas') as ReplicasBench | undefined).trim() +
          stamp('pull'),
      );
      writeSections(DOC, sections);
    }
  } finally {
    await deleteBenchTopics(context.brokers);
    await pg.stop();
  }
}

function header(): string {
  return `# Benchmarks

Written by \`npm run bench\` (scripts/bench.sh: builds, starts Kafka, runs \`dist/bench/run.js\`);
\`npm run bench -- <name> ...\` runs only the named benches (${BENCHES.map((bench) => `\`${bench.name}\``).join(', ')}) and rewrites
only their sections, each between its \`<!-- bench:<name> -->\` markers: every section says when it
was measured. Every figure is a ratio against a baseline measured in the same run on the same
machine; these machines are noisy (±20 %). Ports: BENCH_PORT_BASE (5600) + fixed offsets, PostgreSQL on
BENCH_PORT_BASE + 19832; Kafka on KAFKA_PORT (29092), whose \`bench…\` topics a run deletes when it starts and ends
(\`bench/bench-topics.ts\`: left there, they cost the broker CPU while later runs measure); BENCH_SECONDS sets the measured windows of the pull
and replicas benches, BENCH_PUSH_SEQUENCES and BENCH_PUSH_WARMUP_SECONDS the push bench's length and
least warm-up, BENCH_REPLICA_CORES each gateway replica's CPU limit in the replicas bench's limited rows (0.2), BENCH_SIDE_BY_SIDE_ROUNDS the pull bench's interleaved rounds (3), REBUILD_USERS and REBUILD_REPOSITORIES the rebuild bench's backlogs (30,000 and 10,000), BENCH_BASELINE_ROOT a build to
measure side by side. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, embedded
PostgreSQL 18 (fsync on), Apache Kafka 3.9.2 single node.
`;
}

function reportStore(store: Record<string, number>): string {
  return `
## Event store: appends against plain batched INSERTs

600 appends of 5 events each (new streams), 4 concurrent writers, against the same rows as plain
multi-row INSERTs in one transaction each through \`pg\`. Target (DESIGN §8): ratio ≥ 0.5.

| | events/s |
|---|---|
| event store (\`EventStore.append\`: expected version, hash chain, relay wake-up after the commit) | ${store.eventStoreEventsPerSecond} |
| plain batched INSERT | ${store.plainInsertEventsPerSecond} |
| **ratio** | **${store.ratio}** |
`;
}

function reportNotificationLock(lock: Record<string, number>): string {
  const row = (shape: string, label: string) =>
    `| ${label} | ${NOTIFY_CONCURRENCY.map((c) => `${lock[`${shape}_${c}_perSecond`]} (${lock[`${shape}_${c}_p50Ms`]} / ${lock[`${shape}_${c}_p99Ms`]} ms)`).join(' | ')} |`;
  return `
## Notification lock

A transaction that has queued a NOTIFY holds PostgreSQL's one notification lock, for the whole
cluster, from just before its commit until after its WAL flush (\`async.c\`, \`PreCommit_Notify\`):
notifying commits go one at a time, whatever the number of sessions. One autocommitted row a write,
4 s per cell; commits/s (p50 / p99).

| | ${NOTIFY_CONCURRENCY.map((c) => `${c} session${c === 1 ? '' : 's'}`).join(' | ')} |
|---|${NOTIFY_CONCURRENCY.map(() => '---').join('|')}|
${row('insert', 'the row alone')}
${row('notifyInside', 'NOTIFY inside the transaction (appends before, the projector\'s announcements)')}
${row('notifyAfter', 'NOTIFY after the commit, same round trip (appends now, relay-wake.ts)')}

Inside the transaction, commits/s stop growing past a few sessions (the lock's holder waits for the
disk), and that cap is the cluster's, shared by every service and the projector. Appends now notify
after their commit. The projector's announcements (\`dockyard_read_model_changes\`) still notify
inside their transactions, since a gateway must never hear of a change that did not commit nor miss
one that did: they are the hub's remaining notifying commits under that lock, one per applied event
of an announced projection.
`;
}

function reportRelay(relay: Record<string, number>): string {
  return `
## Outbox relay: commit to Kafka consumer

${relay.samples} single-event appends at ~100/s; time from the append's commit to its arrival at a
kafkajs consumer (NOTIFY wake-up, relay read, produce with acks=all, consumer fetch). Target: p99 < 50 ms.

| p50 | p99 |
|---|---|
| ${relay.p50Ms} ms | ${relay.p99Ms} ms |
`;
}

function reportLogin(login: Record<string, number>): string {
  return `
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

function reportImages(images: Record<string, number>): string {
  return `
## \`GET /v1/repositories/(ns)/(repo)/images\` (the pull's first read)

Standalone hub against bare Fastify running the same two queries on the same read model; a
repository with 10 images; autocannon 50 connections, 8 s per run. Target (DESIGN §8): ratio ≥ 0.7,
p99 at half that load < 10 ms.

| | requests/s |
|---|---|
| gateway | ${images.gatewayRequestsPerSecond} |
| bare Fastify, same SQL | ${images.bareFastifyRequestsPerSecond} |
| **ratio** | **${images.ratio}** |
| gateway p50 / p99 at full load | ${images.gatewayP50Ms} ms / ${images.gatewayP99Ms} ms |
| gateway p99 at half load (${images.halfLoadRequestsPerSecond} req/s) | ${images.halfLoadP99Ms} ms |

### Does a read grow with the number of repositories?

The same read, one request at a time (1,500 requests), with the read model filled to 10,000 and then
to 1,000,000 repositories (3 images each). Both queries are index lookups, so it must not grow.

| repositories in the read model | p50 | p99 |
|---|---|---|
| 10,000 | ${images.at10kP50Ms} ms | ${images.at10kP99Ms} ms |
| 1,000,000 | ${images.at1mP50Ms} ms | ${images.at1mP99Ms} ms |
`;
}

/** How the baseline row was warmed: builds before the warm-up windows warmed with 8 sequences. */
function baselineWarmUp(push: Record<string, number>, baseline?: Record<string, number>): string {
  if (!baseline) return '';
  if (!baseline.warmUpSeconds) {
    return "The baseline's own bench code warms its hub with 8 sequences only, on the broker this build's run has warmed: its row includes its services' JIT warm-up.";
  }
  return `The baseline's own bench code warmed its hub the same way (${baseline.warmUpSeconds} s), after this build's run, on the broker that run had warmed; it used ${baseline.machineCoreMs} core-ms of the machine a sequence against this build's ${push.machineCoreMs}. The two rows are minutes apart on a machine whose speed drifts by tens of percent: read a difference under about 20 % as noise.`;
}

function reportPush(push: Record<string, number>, baseline?: Record<string, number>): string {
  const share = (value: number | undefined) => (value === undefined ? '—' : `${Math.round(value * 100)} %`);
  const row = (build: string, p: Record<string, number>) =>
    `| ${build} | ${p.sequencesPerSecond} | ${p.p50Ms} ms | ${p.p99Ms} ms | ${share(p.putRepositoryShare)} | ${share(p.putImagesShare)} | ${share(p.putAuthShare)} | ${share(p.commandRoundTripShare)} | ${share(p.readYourWritesShare)} |`;
  return `
## The docker push's index sequence, distributed

Every app its own process (gateway, accounts, repositories, images, tokens, projector), Kafka
between them, one PostgreSQL; ${push.sequences ?? 120} sequences, 4 at a time, each: \`PUT .../repo/\` with 3
images and \`X-Docker-Token: true\` → \`PUT .../images []\` → \`PUT .../auth\` with the token.
Step shares are of the summed sequence time, timed by the client; the Kafka and read-your-writes
shares come from the gateway's own metrics. Target (issue 11): p50 < 100 ms, p99 < 250 ms. The
baseline row is the build at BENCH_BASELINE_ROOT, measured in the same run with its own bench code.

| build | sequences/s | p50 | p99 | PUT repo | PUT images | PUT auth | in Kafka command round trips | in read-your-writes waits |
|---|---|---|---|---|---|---|---|---|
${row('this build', push)}
${baseline ? row(`baseline (\`${process.env.BENCH_BASELINE_ROOT}\`)`, baseline) : '| baseline (BENCH_BASELINE_ROOT) | not measured | | | | | | | |'}

This build's figures are of a warm hub: it was first pushed to 4 at a time for ${push.warmUpSeconds ?? '—'} s, in 10 s
windows until the machine's CPU per sequence held within 10 % of the window before (the JITs of the
broker's JVM and of the services' V8 done; on one commit, 20 s of warm-up left 169 core-ms a
sequence where 120 s left 102). ${baselineWarmUp(push, baseline)}

One at a time instead (30 sequences, each after the last, same hub, after the warm-up): **p50 ${push.aloneP50Ms ?? '—'} ms, p99 ${push.aloneP99Ms ?? '—'} ms**. Warm-up sequences that failed (a broker
started seconds before may still be loading its group coordinator): ${push.warmUpFailures ?? '—'}; measured ones: none may.

Where the time goes: the machine was **${Math.round((push.machineBusyShare ?? NaN) * 100)} % busy** (both cores, from
\`/proc/stat\`) while the 4 sequences ran, so a sequence waits mostly for CPU, not for the broker
or a poll. CPU per sequence, in core-milliseconds (\`/proc/<pid>/stat\`; PostgreSQL: the backends
of the hub's database; broker: its JVM; the bench's client: its own process; other: the machine's
busy time that none of these used, such as PostgreSQL's own processes and the kernel's threads),
with ${push.kafkaMessages} Kafka messages and ${push.pgTransactions} PostgreSQL transactions a sequence:

| whole machine | gateway | projector | repositories | images | tokens | accounts | PostgreSQL | broker | bench client | other |
|---|---|---|---|---|---|---|---|---|---|---|
| ${push.machineCoreMs} | ${push['gateway-0CoreMs']} | ${push.projectorCoreMs} | ${push.repositoriesCoreMs} | ${push.imagesCoreMs} | ${push.tokensCoreMs} | ${push.accountsCoreMs} | ${push.postgresCoreMs} | ${Number.isFinite(push.brokerCoreMs) ? push.brokerCoreMs : '—'} | ${push.clientCoreMs} | ${push.otherCoreMs} |

At 4 at a time on 2 cores, a sequence's latency is about 4 × its CPU ÷ 2: p50 < 100 ms needs
under about 50 core-ms a sequence, everything included.
`;
}

function reportSearch(search: Record<string, number>): string {
  return `
## \`GET /v1/search?q=\` (docker search)

Standalone hub, anonymous, one request at a time (500 requests per row) with the read model filled
to 10,000 and then to 1,000,000 repositories of varied names (\`ns_<n>/<hex word>-<hex word>\`, a
description on one in ten). Two terms: a selective one (\`81dc9b\`, six characters of one name) and
a common one (\`a1b\`, three characters, about 1 repository in 500, all of them counted and ranked for
the first page). The query is a trigram (pg_trgm) GIN index scan over names and descriptions.
Target: p99 < 20 ms at 1M, flat. Then autocannon (20 connections, 8 s per run) at 1M with the
selective term against bare Fastify running the gateway's own query (\`SearchReadModel\`).

| term | repositories | matches | p50 | p99 |
|---|---|---|---|---|
| selective | 10,000 | ${search.at10kResults} | ${search.at10kP50Ms} ms | ${search.at10kP99Ms} ms |
| selective | 1,000,000 | ${search.at1mResults} | ${search.at1mP50Ms} ms | ${search.at1mP99Ms} ms |
| common | 10,000 | ${search.common10kResults} | ${search.common10kP50Ms} ms | ${search.common10kP99Ms} ms |
| common | 1,000,000 | ${search.common1mResults} | ${search.common1mP50Ms} ms | ${search.common1mP99Ms} ms |

| at 1M, selective term | requests/s |
|---|---|
| gateway | ${search.gatewayRequestsPerSecond} |
| bare Fastify, same SQL | ${search.bareFastifyRequestsPerSecond} |
| **ratio** | **${search.ratio}** |

A term whose trigrams every name shares is not flat. Measured once by hand, not by this run
(2026-11-25, load average 22, before the index's pending entries were vacuumed): with 1M names all of
the form \`repo-<n>\`, \`q=repo-1234\` (111 matches) took p50 70 ms / p99 206 ms at 1M against
10 ms / 29 ms at 10k, because the GIN scan intersects the posting lists of \`rep\`/\`epo\`, which hold
every row. Real names do not all share a word; a hub where they did would need a word index
(full-text search) for those words.
`;
}

function reportCommand(c: Record<string, number>): string {
  return `
## A command round trip over Kafka: the bus alone and through Nest

One command and its reply over the real broker (acks=all both ways), keyed over 16 partitions'
worth of keys. "Bus alone": a dispatcher function on \`serveCommands\` answering \`bus.send\`, what
each service wired by hand before the services became Nest microservices. "Through Nest":
\`BusClient.send\` (a \`ClientProxy\`) → \`BusServer\` (a \`CustomTransportStrategy\`) → a
\`@MessagePattern\` handler whose \`@Payload()\` DTO is validated by class-validator. 300 one at a
time, then 8 concurrent senders × 60.

| | alone p50 | alone p99 | 8 concurrent p50 | 8 concurrent p99 | 8 concurrent commands/s |
|---|---|---|---|---|---|
| bus alone | ${c.rawAloneP50} ms | ${c.rawAloneP99} ms | ${c.rawConcurrentP50} ms | ${c.rawConcurrentP99} ms | ${c.rawConcurrentPerSecond} |
| through Nest | ${c.nestAloneP50} ms | ${c.nestAloneP99} ms | ${c.nestConcurrentP50} ms | ${c.nestConcurrentP99} ms | ${c.nestConcurrentPerSecond} |
`;
}

function reportWrites(w: Record<string, number>): string {
  return `
## The standalone write path (durable delivery)

The standalone hub (\`npm start\`'s process, embedded PostgreSQL): 200 registrations 8 at a time, then 60
docker push index sequences 4 at a time. Every answer waits for read-your-writes, and the relay
hands an event on only once every consumer has committed it, so these times include the whole path
from the store to the read models. Compare another build with
\`node dist/bench/standalone-writes.bench.js <its root> 5731\` (issue 14 asks the durable path to
cost at most 10 % of the in-memory one).

| registrations/s | p50 | p99 | push sequences/s | p50 | p99 | read-your-writes wait (projection lag a client sees): mean / p99 at most |
|---|---|---|---|---|---|---|
| ${w.registrationsPerSecond} | ${w.registrationP50Ms} ms | ${w.registrationP99Ms} ms | ${w.pushSequencesPerSecond} | ${w.pushP50Ms} ms | ${w.pushP99Ms} ms | ${w.readYourWritesMeanMs} ms / ${w.readYourWritesP99AtMostMs} ms |
`;
}

function reportLayers(layers: Record<string, number>, baseline?: Record<string, number>): string {
  return `
## Layers: upload and download through the gateway

One ${layers.layerMb} MiB layer (incompressible bytes), pushed with chunked \`PUT /v1/images/(id)/layer\` and
pulled with \`GET .../layer\` through the standalone hub (filesystem blob store on the same disk),
against a plain streamed file copy on that disk. Ratio = copy time / transfer time. The gateway's
memory (RSS of the hub process) is sampled every 50 ms: it must stay flat, whatever the layer size.
The baseline rows are the build at BENCH_BASELINE_ROOT, run right after with its own bench code and
its own file copy: the machine's disk varies from minute to minute, so compare ratios, run to run.

The hub's CPU a GiB (utime + stime from \`/proc\`) steadies what the disk's speed does not: it is
what the gateway itself spends moving the bytes. The clients are Node's (\`node:http\` up, \`fetch\`
down), as in every earlier run; the last row reads the same download with curl, a native client as
the docker client is, whose own CPU is next to nothing.

| | MB/s | ratio to a file copy | hub CPU seconds a GiB |
|---|---|---|---|
| plain file copy | ${layers.fileCopyMbPerSecond} | 1 | |
| upload through the gateway (hashing json+layer on the way) | ${layers.uploadMbPerSecond} | ${layers.uploadRatio} | ${layers.uploadHubCpuSecondsPerGib ?? ''} |
| download through the gateway | ${layers.downloadMbPerSecond} | ${layers.downloadRatio} | ${layers.downloadHubCpuSecondsPerGib ?? ''} |
${
  layers.nativeDownloadMbPerSecond !== undefined
    ? `| download through the gateway, read by curl | ${layers.nativeDownloadMbPerSecond} | ${layers.nativeDownloadRatio} | ${layers.nativeDownloadHubCpuSecondsPerGib} |`
    : '| download through the gateway, read by curl | curl not found | | |'
}
${
  baseline
    ? `| baseline build (\`${process.env.BENCH_BASELINE_ROOT}\`): its file copy | ${baseline.fileCopyMbPerSecond} | 1 | |
| baseline build: upload | ${baseline.uploadMbPerSecond} | ${baseline.uploadRatio} | ${baseline.uploadHubCpuSecondsPerGib ?? 'not measured by its bench'} |
| baseline build: download | ${baseline.downloadMbPerSecond} | ${baseline.downloadRatio} | ${baseline.downloadHubCpuSecondsPerGib ?? 'not measured by its bench'} |`
    : '| baseline build (BENCH_BASELINE_ROOT) | not measured | | |'
}

| hub memory (RSS) | MiB |
|---|---|
| idle, before the transfer | ${layers.idleRssMb} |
| peak during the upload | ${layers.uploadPeakRssMb} |
| peak during the download | ${layers.downloadPeakRssMb} |
`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
