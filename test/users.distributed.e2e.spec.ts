import { describeUsersApi } from './users.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeUsersApi('distributed over Kafka, two gateway replicas', () =>
  startDistributedHub({ admin: 'hub_admin', gateways: 2 }),
);
