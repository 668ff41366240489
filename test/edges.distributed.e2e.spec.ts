import { describeEdges } from './edges.e2e-cases';
import { startDistributedHub } from './support/hubs';

// With DOCKYARD_REGISTRY_ENDPOINTS the Host header is never repeated to clients.
describeEdges('distributed over Kafka', (options) => startDistributedHub(options), 'reg-1.example.com:5000, reg-2.example.com');
