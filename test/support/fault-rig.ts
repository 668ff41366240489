import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../libs/testing/src';

const ROOT = resolve(__dirname, '../..');
const run = promisify(execFile);

/**
 * A Kafka broker of the suite's own (scripts/kafka.sh on its own port and data folder), so the
 * suite can stop and start it without touching the broker every other suite shares.
 */
export class OwnBroker {
  private constructor(readonly port: number) {}

  static async start(): Promise<OwnBroker> {
    const broker = new OwnBroker(await freePortPair());
    await broker.script('wipe');
    await broker.script('start');
    return broker;
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  /** Stops the broker, keeping its data: topics, offsets and consumer groups survive a restart. */
  stop(): Promise<void> {
    return this.script('stop');
  }

  async restart(): Promise<void> {
    await this.script('start');
  }

  /** Stops it and removes its data. */
  wipe(): Promise<void> {
    return this.script('wipe');
  }

  private async script(command: string): Promise<void> {
    await run('bash', [resolve(ROOT, 'scripts/kafka.sh'), command], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_BROKERS: `127.0.0.1:${this.port}` },
      timeout: 180000,
    });
  }
}

/**
 * An embedded PostgreSQL of the suite's own, on its own data folder, so the suite can restart it.
 * It runs in a child process (the built libs/runtime starter): the package is an ES module, which
 * Jest's module system cannot import.
 */
export class OwnPostgres {
  private child?: ChildProcess;
  private current?: string;

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<OwnPostgres> {
    const parent = mkdtempSync(resolve(ROOT, '.test-runs/faults-pg-'));
    chmodSync(parent, 0o755);
    const postgres = new OwnPostgres(resolve(parent, 'data'), await freePort());
    await postgres.restart();
    return postgres;
  }

  get url(): string {
    if (!this.current) throw new Error('PostgreSQL has not started');
    return this.current;
  }

  /** A fast shutdown: connected sessions are terminated, as in a restart by an operator. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  async restart(): Promise<void> {
    const starter = `
      const { startEmbeddedPostgres } = require(${JSON.stringify(resolve(ROOT, 'dist/libs/runtime/src/embedded-postgres.js'))});
      startEmbeddedPostgres({ dataDir: ${JSON.stringify(this.dataDir)}, port: ${this.port} }).then(
        (pg) => {
          process.stdout.write(JSON.stringify({ url: pg.url }) + '\\n');
          process.once('SIGTERM', () => pg.stop().then(() => process.exit(0), () => process.exit(1)));
        },
        (error) => { console.error(error); process.exit(1); });`;
    const child = spawn(process.execPath, ['-e', starter], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.current = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolveUrl(JSON.parse(line).url);
      });
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`PostgreSQL starter exited (${code}): ${err}`)));
    });
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(resolve(this.dataDir, '..'), { recursive: true, force: true });
  }
}

/** A free port whose successor is free too (the broker's controller listens on port + 1). */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65535 && (await isFree(port + 1))) return port;
  }
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}
