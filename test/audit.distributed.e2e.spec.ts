import { describeAudit } from './audit.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeAudit('distributed over Kafka', () => startDistributedHub({ env: { DOCKYARD_TRUST_PROXY: '127.0.0.1' } }));
