import { Pool } from 'pg';
import { EventStore, OutboxRelay, runMigrations } from '@dockyard/eventstore';
import { KafkaBus } from '@dockyard/messaging';
import { percentile, round } from './stats';

/**
 * Time from an append's commit to the event arriving at a Kafka consumer: the relay's NOTIFY
 * wake-up, its read, the produce, and the consumer's fetch.
 */
export async function benchRelayLatency(url: string, brokers: string[]): Promise<Record<string, number>> {
  await runMigrations(url, 'accounts');
  const pool = new Pool({ connectionString: url, max: 4 });
  const store = new EventStore(pool, 'accounts');
  const prefix = `bench-${Date.now()}`;
  const bus = new KafkaBus({ brokers, clientId: 'bench', topicPrefix: prefix });
  await bus.connect();
  const relay = new OutboxRelay({ pool, schema: 'accounts', source: 'accounts', publish: (e) => bus.publish('accounts', e) });
  const committedAt = new Map<string, bigint>();
  const latencies: number[] = [];
  await bus.subscribe('latency', ['accounts'], async (event) => {
    const t0 = committedAt.get(event.streamId);
    if (t0 !== undefined) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  });
  await relay.start();
  // warm-up (group join, metadata)
  await store.append('warm', 0, [{ type: 'Warm', data: {} }], { correlationId: 'b', actor: 'system:bench' });
  await new Promise((r) => setTimeout(r, 3000));
  const samples = 300;
  for (let i = 0; i < samples; i++) {
    const streamId = `latency-${i}`;
    await store.append(streamId, 0, [{ type: 'Measured', data: { i } }], { correlationId: 'b', actor: 'system:bench' });
    committedAt.set(streamId, process.hrtime.bigint());
    await new Promise((r) => setTimeout(r, 10)); // ~100 events/s, one at a time
  }
  const deadline = Date.now() + 10000;
  while (latencies.length < samples && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await relay.stop();
  await bus.close();
  await pool.end();
  return {
    samples: latencies.length,
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
  };
}
