import { describeUsersApi } from './users.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeUsersApi('distributed over Kafka, two gateway replicas', () =>
  startDistributedHub({ admins: ['hub_admin'], gateways: 2 }),
);
