import { testKafkaBrokers, uniqueTopicPrefix } from '../../../testing/src';
import { KafkaBus } from '../kafka.bus';
import { describeBusTransport } from './bus-transport.contract';

describeBusTransport('kafka', async () => {
  const bus = new KafkaBus({ brokers: testKafkaBrokers(), clientId: 'transport-test', topicPrefix: uniqueTopicPrefix('nest') });
  await bus.connect();
  return bus;
});
