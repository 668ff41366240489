import { describeRoles } from './roles.e2e-cases';
import { startStandaloneHub } from './support/hubs';

describeRoles(
  'standalone',
  (env) => startStandaloneHub({ requireConfirmation: false, env }),
  async (hub, env) => {
    const { dataDir, pgPort } = hub as typeof hub & { pgPort: number };
    await hub.stop();
    const restarted = await startStandaloneHub({ requireConfirmation: false, dataDir, pgPort, env });
    return { hub: restarted, accounts: restarted.processes[0] };
  },
);
