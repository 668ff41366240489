import { startDistributedHub } from './support/hubs';
import { HubProcess } from './support/hub-process';
import { http } from './support/http';
import { GATEWAY_METRIC_FAMILIES, PROCESS_METRIC_FAMILIES, describePublicHealth, familiesIn, waitUntilReady } from './health.e2e-cases';
import { freePort, waitUntil } from '../libs/testing/src';

describePublicHealth(
  'distributed',
  () => startDistributedHub({ env: { LOG_LEVEL: 'info' } }),
  (hub) => {
    describe('HEALTH_PORT of every process', () => {
      const each = () => hub().processes.map((process, i) => ({ app: process.app, url: hub().healthUrls![i] }));

      it('every process answers /healthz 200 and /readyz 200', async () => {
        expect(each().map((p) => p.app).sort()).toEqual(['accounts', 'gateway', 'images', 'projector', 'repositories', 'tokens']);
        for (const { app, url } of each()) {
          const alive = await http(url, 'GET', '/healthz');
          expect([app, alive.status, alive.json()]).toEqual([app, 200, { status: 'ok' }]);
          await waitUntilReady(url, `${app} readiness`);
        }
      });

      it('every process serves /metrics without credentials, with the hub’s metric families', async () => {
        for (const { app, url } of each()) {
          const answer = await http(url, 'GET', '/metrics');
          expect([app, answer.status]).toEqual([app, 200]);
          const families = familiesIn(answer.text);
          const expected = app === 'gateway' ? [...PROCESS_METRIC_FAMILIES, ...GATEWAY_METRIC_FAMILIES] : PROCESS_METRIC_FAMILIES;
          for (const family of expected) expect([app, family, families.has(family)]).toEqual([app, family, true]);
        }
      });

      it('the metrics have values where the work happened: commands, appends, relay, projection, consumer lag', async () => {
        // A wrong password and a registration (earlier in this suite) went through accounts and the projector.
        const text = async (app: string) => (await http(each().find((p) => p.app === app)!.url, 'GET', '/metrics')).text;
        const accounts = await text('accounts');
        expect(accounts).toMatch(/^dockyard_command_handling_seconds_count\{pattern="accounts\.register-user",outcome="ok"\} [1-9]/m);
        expect(accounts).toMatch(/^dockyard_events_appended_total\{source="accounts",type="[^"]+"\} [1-9]/m);
        expect(accounts).toMatch(/^dockyard_relay_lag_seconds_count\{source="accounts"\} [1-9]/m);
        await waitUntil(async () => /^dockyard_projection_lag_seconds_count\{consumer="users"\} [1-9]/m.test(await text('projector')), {
          timeoutMs: 20000,
          what: 'the users projection lag',
        });
        expect(await text('projector')).toMatch(/^dockyard_consumer_lag\{group="[^"]+\.projector"\} \d+/m);
      });

      it('/readyz answers 503 naming PostgreSQL while a pool’s database is unreachable', async () => {
        const nowhere = await freePort();
        const healthPort = await freePort();
        const gateway = HubProcess.start('gateway', {
          ...hub().env!,
          PORT: String(await freePort()),
          HOST: '127.0.0.1',
          HEALTH_PORT: String(healthPort),
          READ_DATABASE_URL: `postgres://dockyard@127.0.0.1:${nowhere}/nowhere`,
        });
        try {
          const url = `http://127.0.0.1:${healthPort}`;
          await waitUntil(async () => (await http(url, 'GET', '/healthz').catch(() => undefined))?.status === 200, {
            timeoutMs: 60000,
            intervalMs: 250,
            what: 'the gateway without a database to answer /healthz',
          });
          const ready = await http(url, 'GET', '/readyz');
          expect(ready.status).toBe(503);
          expect(ready.json()).toMatchObject({ error: expect.stringContaining('postgres:read'), failing: { 'postgres:read': { status: 'down' } } });
        } finally {
          await gateway.stop();
        }
        expect(gateway.log).not.toContain('unhandled promise rejection');
      });
    });
  },
);
