import { describeImageOwnership } from './image-ownership.e2e-cases';
import { startDistributedHub } from './support/hubs';

// The admin is made by DOCKYARD_ADMINS (hub option `admins`) on this branch.
describeImageOwnership('distributed over Kafka', () =>
  startDistributedHub({ requireConfirmation: false, admins: ['hub_root'], gateways: 2 }),
);
