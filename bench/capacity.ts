import { DEFAULT_ACTIVITY_FLUSH_MS } from '@dockyard/runtime';
import { SERVICES } from './distributed-hub';
import { MeasuredPullRun, PullBench } from './pull.bench';
import { ReplicasBench } from './replicas.bench';
import { round } from './stats';

/** The pull rates the model sizes the hub for (issue 11): an average day and its peak. */
const TARGETS = [4_200, 42_000];
/** Cores of one replica, and the CPU share it is planned to run at (the rest is headroom for bursts and GC). */
const CORES = 2;
const UTILISATION = 0.7;
/** Messages per second one partition is planned to carry (small records; an assumption, not measured here). */
const MESSAGES_PER_PARTITION = 5_000;
/** A gateway's activity batches a second at the default DOCKYARD_ACTIVITY_FLUSH_MS. */
const ACTIVITY_BATCHES_PER_GATEWAY = 1000 / DEFAULT_ACTIVITY_FLUSH_MS;

interface PerPull {
  gatewayCpu: number;
  serviceCpu: Record<string, number>;
  pgTransactions: number;
  pgActiveSeconds: number;
  pgCpu: number;
  kafkaMessages: number;
}

/** What one pull cost in the distributed run: the run's use minus what the hub used idle for as long. */
function perPull(run: MeasuredPullRun): PerPull {
  const net = (used: number, idle: number) => Math.max(0, used - idle) / run.pulls;
  return {
    gatewayCpu: net(run.use.cpu['gateway-0'], run.idle.cpu['gateway-0']),
    serviceCpu: Object.fromEntries(SERVICES.map((service) => [service, net(run.use.cpu[service], run.idle.cpu[service])])),
    pgTransactions: net(run.use.pgTransactions, run.idle.pgTransactions),
    pgActiveSeconds: net(run.use.pgActiveSeconds, run.idle.pgActiveSeconds),
    pgCpu: net(run.use.pgCpuSeconds, run.idle.pgCpuSeconds),
    kafkaMessages: net(run.use.kafkaMessages, run.idle.kafkaMessages),
  };
}

/** `digits` significant digits, in plain notation (never 1.4e+3). */
const fixed = (value: number, digits = 4) => {
  // A difference of two CPU readings can be a float residue (2e-19): that is nothing, and Intl
  // refuses more than 20 fraction digits.
  if (Math.abs(value) < 1e-12) return '0';
  const decimals = Math.min(20, Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(value)))));
  return value.toLocaleString('en', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
};
const replicasFor = (rate: number, cpuPerPull: number) => Math.max(1, Math.ceil((rate * cpuPerPull) / (CORES * UTILISATION)));

/**
 * The capacity model, computed from this run's distributed pull: what one pull costs each part of the
 * hub (CPU seconds from /proc, PostgreSQL transactions and busy time from pg_stat_database, Kafka
 * messages from the topics' high watermarks), then what carries the target rates.
 */
export function reportCapacity(pull: PullBench, replicas?: ReplicasBench): string {
  const run = pull.distributed;
  const cost = perPull(run);
  const gatewayPerReplica = cost.gatewayCpu > 0 ? (CORES * UTILISATION) / cost.gatewayCpu : Infinity;
  const demands = [
    { part: 'gateway', cpu: cost.gatewayCpu },
    ...SERVICES.map((service) => ({ part: service, cpu: cost.serviceCpu[service] })),
    { part: 'PostgreSQL (backends)', cpu: cost.pgCpu },
  ].sort((a, b) => b.cpu - a.cpu);
  const sizing = TARGETS.map((rate) => {
    const services = SERVICES.map((service) => `${service} ${replicasFor(rate, cost.serviceCpu[service])}`).join(', ');
    const maxServiceReplicas = Math.max(...SERVICES.map((service) => replicasFor(rate, cost.serviceCpu[service])));
    const messages = rate * cost.kafkaMessages;
    const partitions = Math.max(maxServiceReplicas, Math.ceil(messages / MESSAGES_PER_PARTITION));
    const busyConnections = rate * cost.pgActiveSeconds;
    const pgCores = (rate * cost.pgCpu) / UTILISATION;
    return `| ${rate.toLocaleString('en')} | ${replicasFor(rate, cost.gatewayCpu)} (${fixed(rate * cost.gatewayCpu, 3)} cores busy) | ${services} | ${partitions} (${Math.round(messages).toLocaleString('en')} messages/s) | ${Math.ceil(busyConnections / UTILISATION)} (${fixed(busyConnections, 3)} busy on average; ${Math.round(rate * cost.pgTransactions).toLocaleString('en')} transactions/s) | ${fixed(pgCores, 3)} |`;
  });
  const replicaLine = replicas
    ? `The replicas run of this page measured ${replicas.one.gatewayCpuPerPull[0]} gateway CPU seconds per pull with one replica and ${replicas.two.gatewayCpuPerPull.join(' / ')} with two.`
    : 'The replicas bench did not run with this one: its figures are not used.';
  const first = demands[0];
  return `## Capacity model (from the distributed pull above)

Computed by \`npm run bench -- pull\` from the distributed pull run of this page (${run.pulls} pulls in ${run.seconds} s); each
figure per pull is the run's use minus what the same hub used idle for as long (background polling,
health checks), divided by the pulls. CPU seconds are each process's utime + stime from \`/proc\`
(the PostgreSQL figure: the backends serving the hub's database); PostgreSQL transactions (each
autocommit query is one) and their busy time are \`pg_stat_database\` deltas (\`xact_commit +
xact_rollback\`, \`active_time\`); Kafka messages are the growth of the high watermarks of the hub's topics.
Measured with every part saturating the same ${CORES} cores, so CPU per pull includes the cost of
contention: the model is conservative.

| per pull | measured |
|---|---|
| index calls (\`GET .../images\`) | 1 |
| requests (index, tags, ancestry, ${pull.layers} × json, ${pull.layers} × layer) | ${pull.requestsPerPull} |
| gateway CPU | ${fixed(cost.gatewayCpu)} s |
| ${SERVICES.map((service) => `${service} CPU | ${fixed(cost.serviceCpu[service])} s`).join(' |\n| ')} |
| PostgreSQL transactions (≈ queries) | ${fixed(cost.pgTransactions, 3)} |
| PostgreSQL busy time | ${fixed(cost.pgActiveSeconds * 1000, 3)} ms |
| PostgreSQL backend CPU | ${fixed(cost.pgCpu)} s |
| Kafka messages | ${fixed(cost.kafkaMessages, 3)} |

**Per gateway replica**: a ${CORES}-core replica run at ${UTILISATION * 100} % carries ${CORES} × ${UTILISATION} ÷ ${fixed(cost.gatewayCpu)} =
**${Math.round(gatewayPerReplica).toLocaleString('en')} pulls/s** (this machine, everything on it, did ${run.pullsPerSecond} pulls/s in total). ${replicaLine}

Sizing: replicas of ${CORES} cores at ${UTILISATION * 100} % = ⌈rate × CPU per pull ÷ (${CORES} × ${UTILISATION})⌉ (at least 1); partitions per
topic = the larger of the most replicas in one consumer group (each replica needs a partition) and
⌈messages/s ÷ ${MESSAGES_PER_PARTITION.toLocaleString('en')}⌉ (planned per partition, an assumption); PostgreSQL connections =
⌈rate × busy time per pull ÷ ${UTILISATION}⌉ (Little's law: connections busy on average, with headroom); PostgreSQL cores
= rate × backend CPU per pull ÷ ${UTILISATION}.

| pulls/s | gateway replicas | service replicas | partitions per topic | PostgreSQL connections | PostgreSQL cores |
|---|---|---|---|---|---|
${sizing.join('\n')}

**First bottleneck**: by CPU per pull the largest demand is **${first.part}** (${fixed(first.cpu)} s a pull, then
${demands
    .slice(1, 3)
    .map((d) => `${d.part} ${fixed(d.cpu)} s`)
    .join(', ')}). Gateways and services scale out by adding replicas; the one part that does not is the
PostgreSQL primary (${fixed(cost.pgTransactions, 3)} transactions and ${fixed(cost.pgCpu)} CPU seconds a pull): at 42,000 pulls/s it needs
${fixed((42_000 * cost.pgCpu) / UTILISATION, 3)} cores and ${Math.round(42_000 * cost.pgTransactions).toLocaleString('en')} transactions/s${cost.pgTransactions > 0.5 ? ' — the reads it serves are the first thing to take off it (a cache or read replicas)' : ''}.

**The audit feed's one lock**, which no replica count spreads, would come before any of these if
each logged-in pull's TokenIssued were a feed transaction of its own. The audit takes them through its inbox,
many to a transaction; the next section (\`npm run bench -- audit-feed\`) measures the lock and
what that leaves of it.

**Activity batches and the two cluster-wide locks.** Each gateway replica sends its pulls as one
activity batch every ${DEFAULT_ACTIVITY_FLUSH_MS} ms (DOCKYARD_ACTIVITY_FLUSH_MS), ${ACTIVITY_BATCHES_PER_GATEWAY} a second however busy it is: with the
gateway replicas above, ${TARGETS.map((rate) => `${(replicasFor(rate, cost.gatewayCpu) * ACTIVITY_BATCHES_PER_GATEWAY).toLocaleString('en')} batches a second at ${rate.toLocaleString('en')} pulls/s`).join(', ')}. Taken one transaction per
batch, each would hold the audit feed's lock (its ceiling in the audit-feed section) and, for the
counts, PostgreSQL's notification lock (its NOTIFY announces the counters to the hot views; the
notify section), neither of which replicas spread. The projector now keeps each delivered batch in an
inbox and folds the batches that wait together (\`npm run bench -- activity\`), so those transactions
follow the writers' passes, not the number of gateway replicas. The notifying commits left are the
projector's announcements of applied events: one per write to the announced read models, far fewer
than pulls.
`;
}

/** Rounds for a log line. */
export const capacitySummary = (pull: PullBench) => {
  const cost = perPull(pull.distributed);
  return { gatewayCpuPerPull: round(cost.gatewayCpu, 5), pgTransactionsPerPull: round(cost.pgTransactions, 2), kafkaMessagesPerPull: round(cost.kafkaMessages, 2) };
};
