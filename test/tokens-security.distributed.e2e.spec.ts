import { describeTokensSecurity } from './tokens-security.e2e-cases';
import { startDistributedHub } from './support/hubs';

// Two gateway replicas: the repository is made private through one and attacked through the other.
describeTokensSecurity('distributed over Kafka, two gateway replicas', () =>
  startDistributedHub({ admin: 'tok_root', requireConfirmation: false, gateways: 2 }),
);
