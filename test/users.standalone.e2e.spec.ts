import { describeUsersApi } from './users.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeUsersApi('standalone', () => startStandaloneHub({ admin: 'hub_admin' }));
