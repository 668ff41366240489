import { describeIdempotency } from './idempotency.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeIdempotency('standalone', () =>
  startStandaloneHub({ admin: 'idem_root', requireConfirmation: false, env: { DOCKYARD_COMMAND_TIMEOUT_MS: '3000' } }),
);
