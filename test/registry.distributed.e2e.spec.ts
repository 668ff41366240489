import { describeRegistryApi } from './registry.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeRegistryApi('distributed over Kafka', () => startDistributedHub({ requireConfirmation: false, gateways: 2 }));
