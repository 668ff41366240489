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
