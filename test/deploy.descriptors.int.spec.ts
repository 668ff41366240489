import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The deployment descriptors, checked offline: `k8s/` must render with kustomize and run every app
 * with probes and resources; `docker-compose.yml` must load with compose-go, the loader of
 * `docker compose` itself (scripts/compose-check), and run every app with a health check.
 */
const ROOT = resolve(__dirname, '..');
const APPS = ['gateway', 'accounts', 'repositories', 'images', 'tokens', 'projector'];
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const GO = process.env.GO ?? 'go';
const COMPOSE_CHECK = resolve(ROOT, '.cache/compose-check/compose-check');
/** The first build fetches compose-go from the Go module proxy; later ones come from Go's caches. */
const BUILD_TIMEOUT_MS = 300_000;

/** The parts of the rendered manifests the checks read. */
interface Container {
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  readinessProbe?: { httpGet?: unknown };
  livenessProbe?: { httpGet?: unknown };
  resources?: Record<string, Record<string, string> | undefined>;
}

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
    selector: { matchLabels: Record<string, string> };
    scaleTargetRef: unknown;
    minReplicas: number;
  };
  stringData?: Record<string, string>;
  data?: Record<string, string>;
}

const run = (command: string, args: string[], cwd = ROOT): string =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false' },
  });

describe('k8s/ (kubectl kustomize)', () => {
  let manifests: Manifest[];
  const find = (kind: string, name: string) =>
    manifests.find((m) => m.kind === kind && m.metadata.name === name);

  beforeAll(() => {
    manifests = parseAllDocuments(run(KUBECTL, ['kustomize', 'k8s'])).map((doc) => doc.toJS() as Manifest);
  });

  it.each(APPS)('runs %s as a Deployment probed on its health port, with requests and limits', (app) => {
    const deployment = find('Deployment', app);
    expect(deployment).toBeDefined();
    const [container] = deployment!.spec.template.spec.containers;
    expect(container.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
    expect(container.ports).toContainEqual({ name: 'health', containerPort: 9464 });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
    for (const bound of ['requests', 'limits']) {
      expect(container.resources?.[bound]).toEqual({ cpu: expect.anything(), memory: expect.anything() });
    }
    expect(container.image).toBe('registry.example.com/dockyard:0.1.0');
  });

  it('keeps the gateway available: a PodDisruptionBudget and a HorizontalPodAutoscaler on its Deployment', () => {
    const labels = find('Deployment', 'gateway')!.spec.template.metadata.labels;
    const budget = find('PodDisruptionBudget', 'gateway');
    expect(budget).toBeDefined();
    for (const [key, value] of Object.entries(budget!.spec.selector.matchLabels))
      expect(labels[key]).toBe(value);
    const autoscaler = find('HorizontalPodAutoscaler', 'gateway');
    expect(autoscaler?.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'gateway',
    });
    expect(autoscaler!.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it('creates the topics with replication 3 and min.insync.replicas=2', () => {
    const script = (find('Job', 'dockyard-topics')!.spec.template.spec.containers[0].args ?? []).join('\n');
    expect(script).toContain('--replication-factor 3');
    expect(script).toContain('min.insync.replicas=2');
  });

  it('defines every Secret key a Deployment reads', () => {
    const references = manifests
      .filter((m) => m.kind === 'Deployment')
      .flatMap((m) => m.spec.template.spec.containers.flatMap((c) => c.env ?? []))
      .flatMap((variable) => variable.valueFrom?.secretKeyRef ?? []);
    expect(references.map((ref) => ref.name)).toEqual(
      expect.arrayContaining(['dockyard-database', 'dockyard-s3']),
    );
    for (const { name, key } of references) {
      const secret = find('Secret', name);
      expect({ name, key, defined: Boolean(secret?.stringData?.[key] ?? secret?.data?.[key]) }).toEqual({
        name,
        key,
        defined: true,
      });
    }
  });
});

describe('docker-compose.yml (compose-go)', () => {
  const load = (file: string) =>
    JSON.parse(run(COMPOSE_CHECK, [file])) as {
      services: Record<string, { healthcheck?: string[]; environment?: string[] }>;
    };

  beforeAll(() => {
    run(GO, ['build', '-o', COMPOSE_CHECK, '.'], resolve(ROOT, 'scripts/compose-check'));
  }, BUILD_TIMEOUT_MS);

  it('runs the six apps, PostgreSQL, Kafka and MinIO, every app with a /readyz health check', () => {
    const { services } = load(resolve(ROOT, 'docker-compose.yml'));
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([...APPS, 'postgres', 'kafka', 'kafka-setup', 'minio', 'minio-setup']),
    );
    for (const app of APPS) {
      expect({ app, healthcheck: services[app].healthcheck?.join(' ') }).toEqual({
        app,
        healthcheck: expect.stringContaining('9464/readyz'),
      });
    }
    expect(services.gateway.environment).toEqual(
      expect.arrayContaining(['DOCKYARD_S3_BUCKET', 'DOCKYARD_S3_ENDPOINT']),
    );
  });

  it('is checked by a strict loader: a dependency on a service that does not exist is refused', () => {
    const dir = resolve(ROOT, '.test-runs');
    mkdirSync(dir, { recursive: true });
    const broken = resolve(dir, 'compose-broken.yml');
    writeFileSync(broken, 'services:\n  gateway:\n    image: dockyard\n    depends_on: [kafka]\n');
    expect(() => load(broken)).toThrow(/kafka/);
  });
});
