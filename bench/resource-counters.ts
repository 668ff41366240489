import { ChildProcess } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { cpuSeconds } from './hub-processes';

/** What the hub used between two snapshots: the raw material of the capacity model. */
export interface ResourceUse {
  /** Committed + rolled back transactions in the hub's database (each autocommit query is one). */
  pgTransactions: number;
  /** Time the database's backends spent executing statements, in seconds (pg_stat_database.active_time). */
  pgActiveSeconds: number;
  /** CPU seconds of the backends serving the hub's database (their pids from pg_stat_activity). */
  pgCpuSeconds: number;
  /** Messages produced to the hub's topics (sum of the high watermarks' growth). */
  kafkaMessages: number;
  /** CPU seconds of each hub process. */
  cpu: Record<string, number>;
}

interface Snapshot extends Omit<ResourceUse, 'pgCpuSeconds'> {
  backendCpu: Map<number, number>;
}

/** Counts the hub's database, broker and processes, so a run's cost per pull can be computed. */
export class ResourceCounters {
  private readonly db: Client;
  private readonly kafka: Kafka;

  constructor(
    private readonly databaseUrl: string,
    brokers: string[],
    private readonly topicPrefix: string | undefined,
    private readonly processes: Map<string, ChildProcess>,
  ) {
    this.db = new Client(databaseUrl);
    this.kafka = new Kafka({ clientId: 'bench-counters', brokers, logLevel: logLevel.NOTHING });
  }

  async open(): Promise<void> {
    await this.db.connect();
  }

  async close(): Promise<void> {
    await this.db.end();
  }

  private async kafkaMessages(): Promise<number> {
    if (!this.topicPrefix) return 0;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(this.topicPrefix!));
      let total = 0;
      for (const topic of topics) for (const partition of await admin.fetchTopicOffsets(topic)) total += Number(partition.high);
      return total;
    } finally {
      await admin.disconnect();
    }
  }

  async snapshot(): Promise<Snapshot> {
    const database = new URL(this.databaseUrl).pathname.slice(1);
    const stats = await this.db.query(
      'SELECT xact_commit + xact_rollback AS transactions, active_time FROM pg_stat_database WHERE datname = $1',
      [database],
    );
    const backends = await this.db.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return {
      pgTransactions: Number(stats.rows[0].transactions),
      pgActiveSeconds: Number(stats.rows[0].active_time) / 1000,
      backendCpu: new Map(backends.rows.map((row: { pid: number }) => [row.pid, cpuSeconds(row.pid)])),
      kafkaMessages: await this.kafkaMessages(),
      cpu: Object.fromEntries([...this.processes].map(([name, child]) => [name, cpuSeconds(child.pid!)])),
    };
  }

  /** What was used since `before`. pg_stat_database is flushed by backends about once a second: measure over seconds, not less. */
  async since(before: Snapshot): Promise<ResourceUse> {
    await this.db.query('SELECT pg_stat_force_next_flush()').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1100));
    const after = await this.snapshot();
    let pgCpuSeconds = 0;
    // Backends that came during the run count from zero; those that left are lost (pools keep theirs).
    for (const [pid, cpu] of after.backendCpu) pgCpuSeconds += cpu - (before.backendCpu.get(pid) ?? 0);
    return {
      pgTransactions: after.pgTransactions - before.pgTransactions,
      pgActiveSeconds: after.pgActiveSeconds - before.pgActiveSeconds,
      pgCpuSeconds,
      kafkaMessages: after.kafkaMessages - before.kafkaMessages,
      cpu: Object.fromEntries(Object.keys(after.cpu).map((name) => [name, after.cpu[name] - (before.cpu[name] ?? 0)])),
    };
  }
}
