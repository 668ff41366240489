import { describeIndexApi } from './index.e2e-cases';
import { startStandaloneHub } from './support/hubs';

// Without DOCKYARD_REGISTRY_ENDPOINTS the endpoints are the host the client used.
describeIndexApi('standalone', () => startStandaloneHub({ admin: 'hub_root' }), (url) => new URL(url).host);
