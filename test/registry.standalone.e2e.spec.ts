import { describeRegistryApi } from './registry.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeRegistryApi('standalone', () => startStandaloneHub({ requireConfirmation: false }));
