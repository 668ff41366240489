import { describeAudit } from './audit.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeAudit('standalone', () => startStandaloneHub({ env: { DOCKYARD_TRUST_PROXY: '127.0.0.1' } }));
