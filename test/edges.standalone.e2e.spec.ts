import { describeEdges } from './edges.e2e-cases';
import { startStandaloneHub } from './support/hubs';

// No DOCKYARD_REGISTRY_ENDPOINTS: the Host header is used, so a hostile one must be refused.
describeEdges('standalone', (options) => startStandaloneHub(options));
