import { ChildProcess, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { BENCH_ADMIN_ENV, basicAuth, benchPort, imageIds, startScript, waitFor } from './hub-processes';
import { round } from './stats';

const GATEWAY_PORT = benchPort(41);
const GATEWAY = `http://127.0.0.1:${GATEWAY_PORT}`;
const APPS = ['projector', 'accounts', 'repositories', 'images', 'tokens', 'gateway'] as const;
/** Each process's metrics port: HEALTH_PORT, fixed so the bench can read them. */
const HEALTH_PORT = (app: (typeof APPS)[number]) => benchPort(50) + APPS.indexOf(app);
/** The fixed mixed rate, per second: what a docker 1.x client sends. */
const RATE = { pulls: 20, pushes: 2, logins: 5 };

/** p50 / p99 of a Prometheus histogram family (every label set summed), as bucket upper bounds. */
function histogramQuantiles(text: string, name: string): { count: number; p50: number; p99: number } {
  const buckets = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{.*le="([^"]+)".*\\} (\\d+)`).exec(line);
    if (match && match[1] !== '+Inf') buckets.set(Number(match[1]), (buckets.get(Number(match[1])) ?? 0) + Number(match[2]));
  }
  const count = text
    .split('\n')
    .filter((line) => line.startsWith(`${name}_count`))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const at = (q: number) => sorted.find(([, n]) => n >= q * count)?.[0] ?? Infinity;
  return { count, p50: at(0.5), p99: at(0.99) };
}

const rssMiB = (pid: number): number => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;

/**
 * Issue 8's soak: the distributed hub (every app its own process, Kafka between them) under a fixed
 * mixed rate of pulls (the index call with a token, then tags), pushes (the index sequence) and
 * logins for `seconds`. Reports errors (must be 0), each process's RSS at start and end, and the
 * projection and relay lags from the processes' own histograms (`/metrics` on HEALTH_PORT).
 */
export async function benchSoak(databaseUrl: string, brokers: string[], seconds = Number(process.env.SOAK_SECONDS ?? 300)) {
  const env = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    DOCKYARD_TOPIC_PREFIX: `benchsoak${Date.now()}`,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(__dirname, '../../.test-runs/bench-soak'),
    DOCKYARD_PG_POOL_SIZE: '6',
    ...BENCH_ADMIN_ENV,
    DOCKYARD_TOKEN_KEY: 'bench-token-master-key-0123456789abcdef',
    HEALTH_HOST: '127.0.0.1',
  };
  const processes = new Map<string, ChildProcess>(
    APPS.map((app) => [
      app,
      startScript(`dist/apps/${app}/src/main.js`, {
        ...env,
        HEALTH_PORT: String(HEALTH_PORT(app)),
        ...(app === 'gateway' ? { PORT: String(GATEWAY_PORT), HOST: '127.0.0.1' } : {}),
      }),
    ]),
  );
  try {
    await waitFor(`${GATEWAY}/v1/_ping`, 120000);
    const register = await fetch(`${GATEWAY}/v1/users/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'soaker', password: 'secret1', email: 'soak@example.com' }),
    });
    if (register.status !== 201) throw new Error(`register answered ${register.status}`);
    const auth = basicAuth('soaker', 'secret1');
    const errors: string[] = [];
    const check = (what: string, status: number, expected: number[]) => {
      if (!expected.includes(status)) errors.push(`${what}: ${status}`);
      return expected.includes(status);
    };
    let pushed = 0;
    const push = async () => {
      const repo = `soaker/soak-${pushed++}`;
      const created = await fetch(`${GATEWAY}/v1/repositories/${repo}/`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: JSON.stringify(imageIds(repo, 3).map((id, i) => (i === 2 ? { id, Tag: 'latest' } : { id }))),
      });
      if (!check('create', created.status, [200, 201])) return;
      const listed = await fetch(`${GATEWAY}/v1/repositories/${repo}/images`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Authorization: auth, 'X-Docker-Token': 'true' },
        body: '[]',
      });
      check('images', listed.status, [204]);
    };
    await push(); // something to pull
    const pull = async () => {
      const repo = `soaker/soak-${Math.floor(Math.random() * Math.max(1, pushed - 1))}`;
      const images = await fetch(`${GATEWAY}/v1/repositories/${repo}/images`, { headers: { Authorization: auth, 'X-Docker-Token': 'true' } });
      await images.text();
      if (!check('pull images', images.status, [200])) return;
      const tags = await fetch(`${GATEWAY}/v1/repositories/${repo}/tags`, { headers: { Authorization: `Token ${images.headers.get('x-docker-token')}` } });
      await tags.text();
      check('pull tags', tags.status, [200]);
    };
    const login = async () => {
      const answer = await fetch(`${GATEWAY}/v1/users/`, { headers: { Authorization: auth } });
      await answer.text();
      check('login', answer.status, [200]);
    };

    const rssStart = Object.fromEntries([...processes].map(([app, child]) => [app, round(rssMiB(child.pid!), 0)]));
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    const fire = (work: () => Promise<void>) => {
      const running = work().catch((error) => void errors.push(String(error)));
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running));
    };
    // Requests are started on a fixed schedule (open loop), whatever the answers' pace.
    for (let second = 0; second < seconds; second++) {
      const tick = started + second * 1000;
      for (const [work, count] of [
        [pull, RATE.pulls],
        [push, RATE.pushes],
        [login, RATE.logins],
      ] as const) {
        for (let i = 0; i < count; i++) setTimeout(() => fire(work), Math.max(0, tick + (i * 1000) / count - Date.now()));
      }
      await new Promise((r) => setTimeout(r, Math.max(0, tick + 1000 - Date.now())));
    }
    while (inFlight.size > 0) await Promise.all([...inFlight]);
    const rssEnd = Object.fromEntries([...processes].map(([app, child]) => [app, round(rssMiB(child.pid!), 0)]));

    const metrics = async (app: (typeof APPS)[number]) => (await fetch(`http://127.0.0.1:${HEALTH_PORT(app)}/metrics`)).text();
    const projection = histogramQuantiles(await metrics('projector'), 'dockyard_projection_lag_seconds');
    const relays = (await Promise.all((['accounts', 'repositories', 'images', 'tokens'] as const).map(metrics))).join('\n');
    const relay = histogramQuantiles(relays, 'dockyard_relay_lag_seconds');
    const appended = relays
      .split('\n')
      .filter((line) => line.startsWith('dockyard_events_appended_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    return {
      seconds,
      rate: RATE,
      requests: seconds * (RATE.pulls * 2 + RATE.pushes * 2 + RATE.logins),
      errors: errors.length,
      firstErrors: errors.slice(0, 5),
      eventsPerSecond: round(appended / seconds, 1),
      projectionLagMs: { applied: projection.count, p50: projection.p50 * 1000, p99: projection.p99 * 1000 },
      relayLagMs: { published: relay.count, p50: relay.p50 * 1000, p99: relay.p99 * 1000 },
      rssStart,
      rssEnd,
    };
  } finally {
    for (const child of processes.values()) child.kill('SIGTERM');
    await Promise.all([...processes.values()].map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
  }
}

if (require.main === module) {
  const [databaseUrl, brokers] = [process.argv[2], (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',')];
  benchSoak(databaseUrl, brokers).then(
    (result) => {
      console.log(JSON.stringify(result));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

export function reportSoak(soak: Awaited<ReturnType<typeof benchSoak>>): string {
  const apps = Object.keys(soak.rssStart);
  return `
## Soak: the distributed hub under a fixed mixed rate (issue 8)

Every app its own process, Kafka between them, one PostgreSQL, all on this machine; for ${soak.seconds} s an open
loop starts ${soak.rate.pulls} pulls (\`GET .../images\` with \`X-Docker-Token: true\`, then \`GET .../tags\` with the
token), ${soak.rate.pushes} push index sequences (\`PUT .../repo/\` with 3 images, \`PUT .../images\`) and ${soak.rate.logins} logins
(\`GET /v1/users/\`) per second. Lags from the processes' own histograms (\`/metrics\` on \`HEALTH_PORT\`;
bucket upper bounds). Targets: 0 errors, projection lag p99 < 100 ms at 1k events/s, relay lag p99 < 50 ms.

| requests | errors | events appended/s | projection lag p50 / p99 | relay lag p50 / p99 |
|---|---|---|---|---|
| ${soak.requests} | ${soak.errors} | ${soak.eventsPerSecond} | ${soak.projectionLagMs.p50} / ${soak.projectionLagMs.p99} ms | ${soak.relayLagMs.p50} / ${soak.relayLagMs.p99} ms |

| process | RSS at start (MiB) | RSS at end (MiB) |
|---|---|---|
${apps.map((app) => `| ${app} | ${soak.rssStart[app]} | ${soak.rssEnd[app]} |`).join('\n')}

Recovery after each fault (kill -9 of every service, the projector and the gateway; the broker down
6 s; PostgreSQL restarted) is measured by the fault suite in \`npm test\`
(\`test/faults.distributed.e2e.spec.ts\` prints it: from the fault's end to the first push and pull
that succeed again).
`;
}
