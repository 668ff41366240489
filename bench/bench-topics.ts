import { Kafka, logLevel } from 'kafkajs';

/** Every topic a bench makes is named `bench...` (its hubs' DOCKYARD_TOPIC_PREFIX). */
const BENCH_TOPIC = /^bench/;

/**
 * Deletes the topics earlier benches left on the bench's own broker (scripts/bench.sh starts it on
 * KAFKA_PORT and keeps its data between runs; no other run may own it meanwhile). Each distributed
 * hub makes some 30 partitions under a prefix of its own, and nothing removed them: after a few
 * days of runs the broker held 2,558 partitions and burned 78 ms of CPU a second idle against 45 for
 * a fresh one, on the cores the measured hubs share. Best effort: a bench is not failed by it.
 */
export async function deleteBenchTopics(brokers: string[]): Promise<number> {
  const admin = new Kafka({ brokers, clientId: 'bench-topics', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => BENCH_TOPIC.test(topic));
    // In slices: one request for thousands of topics outlasts the broker's request timeout.
    for (let i = 0; i < topics.length; i += 100) {
      await admin.deleteTopics({ topics: topics.slice(i, i + 100), timeout: 30000 });
    }
    return topics.length;
  } catch (error) {
    console.warn(`bench topics not deleted: ${(error as Error).message}`);
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
