import { describeIndexApi } from './index.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeIndexApi(
  'distributed over Kafka, two gateway replicas',
  () => startDistributedHub({ admin: 'hub_root', gateways: 2, registryEndpoints: 'reg-1.example.com:5000, reg-2.example.com' }),
  () => 'reg-1.example.com:5000, reg-2.example.com',
);
