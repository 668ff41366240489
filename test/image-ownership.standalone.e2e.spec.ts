import { describeImageOwnership } from './image-ownership.e2e-cases';
import { startStandaloneHub } from './support/hubs';

// The admin is made by DOCKYARD_ADMINS (hub option `admins`) on this branch.
describeImageOwnership('standalone', () => startStandaloneHub({ requireConfirmation: false, admins: ['hub_root'] }));
