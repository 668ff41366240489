import { describeHotReads } from './hot-reads.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeHotReads('distributed over Kafka, two gateway replicas', () => startDistributedHub({ requireConfirmation: false, gateways: 2 }));
