import { Kafka, logLevel } from 'kafkajs';
import { ConfigResourceTypes } from 'kafkajs';
import { testKafkaBrokers, uniqueTopicPrefix } from '../../testing/src';
import { KafkaBus } from './kafka.bus';
import { describeMessageBusContract } from './message-bus.contract';

let prefix = uniqueTopicPrefix('bus');
beforeEach(() => {
  prefix = uniqueTopicPrefix('bus'); // fresh topics per test: no leftovers from the one before
});

describeMessageBusContract('kafka', async () => {
  const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'contract-test', topicPrefix: prefix });
  await bus.connect();
  return bus;
});

describe('KafkaBus topics', () => {
  it('creates event and activity topics that keep everything, command and reply topics that keep an hour', async () => {
    const topicPrefix = uniqueTopicPrefix('retention');
    const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'retention-test', topicPrefix });
    await bus.connect();
    const admin = new Kafka({ brokers: testKafkaBrokers(), clientId: 'retention-check', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const names = [`${topicPrefix}.accounts.events`, `${topicPrefix}.activity`, `${topicPrefix}.accounts.commands`, `${topicPrefix}.replies`];
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })),
      });
      const retention = Object.fromEntries(
        described.resources.map((r) => [r.resourceName, r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue]),
      );
      expect(retention).toEqual({
        [names[0]]: '-1',
        [names[1]]: '-1',
        [names[2]]: '3600000',
        [names[3]]: '3600000',
      });
    } finally {
      await admin.disconnect();
      await bus.close();
    }
  });
});
