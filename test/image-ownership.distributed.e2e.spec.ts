import { describeImageOwnership } from './image-ownership.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeImageOwnership('distributed over Kafka', () =>
  startDistributedHub({ requireConfirmation: false, gateways: 2 }),
);
