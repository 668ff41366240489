import { describeIdempotency } from './idempotency.e2e-cases';
import { startDistributedHub } from './support/hubs';

describeIdempotency('distributed over Kafka', () =>
  startDistributedHub({ admin: 'idem_root', requireConfirmation: false, env: { DOCKYARD_COMMAND_TIMEOUT_MS: '3000' } }),
);
