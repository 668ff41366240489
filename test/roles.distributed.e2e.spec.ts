import { describeRoles } from './roles.e2e-cases';
import { HubProcess } from './support/hub-process';
import { startDistributedHub } from './support/hubs';
import { waitUntil } from '../libs/testing/src';
import { basic, http } from './support/http';

describeRoles(
  'distributed',
  (env) => startDistributedHub({ requireConfirmation: false, env }),
  async (hub, env) => {
    const old = hub.processes.find((p) => p.app === 'accounts')!;
    await old.stop();
    const accounts = HubProcess.start('accounts', { ...hub.env!, ...env });
    hub.processes.splice(hub.processes.indexOf(old), 1, accounts);
    // Ready once it answers a login check again through the gateway (a wrong password: 401, not 503).
    const probe = { Authorization: basic('carol_01', 'not-her-password') };
    await waitUntil(async () => (await http(hub.urls[0], 'GET', '/v1/users/', { headers: probe })).status === 401, {
      timeoutMs: 60000,
      intervalMs: 250,
      what: 'the restarted accounts service',
    });
    return { hub, accounts };
  },
);
