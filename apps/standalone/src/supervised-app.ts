import { ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '@dockyard/runtime';

/** The first restart comes at once or nearly; a crash loop backs off to one try per this long. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 10_000;
/** A run this long counts as healthy: the next exit starts the backoff from the beginning again. */
const HEALTHY_RUN_MS = 30_000;

/**
 * One app of the distributed hub as a child process, started again whenever it exits (a crash, a
 * kill -9, an OOM) until `stop()`, with a doubling delay so that an app failing at start-up does not
 * spin. What a process manager (systemd, Kubernetes) does in production, for one machine.
 */
export class SupervisedApp {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = FIRST_BACKOFF_MS;

  constructor(
    readonly app: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: Logger,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [this.script], { env: this.env, stdio: 'inherit' });
    this.child = child;
    this.logger.info({ app: this.app, pid: child.pid }, 'app started');
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - startedAt >= HEALTHY_RUN_MS) this.backoffMs = FIRST_BACKOFF_MS;
      const delayMs = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      this.logger.warn({ app: this.app, code, signal, restartInMs: delayMs }, 'app exited; restarting it');
      this.restartTimer = setTimeout(() => this.start(), delayMs);
    });
  }

  /** SIGTERM (the apps close their consumers and pools on it), SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  }
}
