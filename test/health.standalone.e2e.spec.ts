import { describePublicHealth } from './health.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describePublicHealth('standalone', () => startStandaloneHub({ env: { LOG_LEVEL: 'info' } }));
