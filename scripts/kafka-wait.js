// Waits until a Kafka broker answers metadata requests (used by scripts/kafka.sh).
// Topics are not created here: each service creates the topics it owns when it connects.
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const deadline = Date.now() + Number(process.env.KAFKA_WAIT_MS ?? 90000);
const kafka = new Kafka({
  clientId: 'dockyard-wait',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  retry: { retries: 0 },
});

async function main() {
  for (;;) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.listTopics();
      await admin.disconnect();
      if (cluster.brokers.length > 0) return;
    } catch {
      await admin.disconnect().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`kafka not ready on ${brokers.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error.message);
    process.exit(1);
  },
);
