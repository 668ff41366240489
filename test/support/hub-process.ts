import { ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
/** What libs/runtime's process guard logs for a rejection nobody awaited. */
const UNHANDLED_REJECTION = 'unhandled promise rejection';

/** One built app running as its own Node process (`node dist/apps/<app>/src/main.js`). */
export class HubProcess {
  private output = '';
  private exited = false;
  private unhandledRejection = false;
  /** The guard's log line of the first one, for the failure message. */
  firstRejection?: string;

  private constructor(
    readonly app: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      // Remembered apart from the log tail, which a long run scrolls past.
      if (text.includes(UNHANDLED_REJECTION)) {
        this.unhandledRejection = true;
        this.firstRejection ??= text.split('\n').find((line) => line.includes(UNHANDLED_REJECTION));
      }
      this.output = (this.output + text).slice(-20000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('exit', () => (this.exited = true));
  }

  /**
   * Without a HEALTH_PORT in `env` the process's health server takes any free port (0): processes
   * of several suites share this machine, and the default 9464 would let only one of them start.
   */
  static start(
    app: string,
    env: Record<string, string>,
    options: { ownProcessGroup?: boolean } = {},
  ): HubProcess {
    const child = spawn(process.execPath, [resolve(ROOT, `dist/apps/${app}/src/main.js`)], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', HEALTH_PORT: '0', HEALTH_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // The leader of a process group of its own, as a shell makes a foreground job: `interrupt`
      // then signals the group as a terminal's Ctrl-C does, without reaching the test runner.
      detached: options.ownProcessGroup === true,
    });
    return new HubProcess(app, child);
  }

  get log(): string {
    return this.output;
  }

  /** Whether the process guard logged a rejection nobody awaited (the process keeps serving after one). */
  get loggedUnhandledRejection(): boolean {
    return this.unhandledRejection;
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Graceful stop (SIGTERM), then SIGKILL after `graceMs`: whether it exited by itself or was killed. */
  async stop(graceMs = 15000): Promise<'exited' | 'killed'> {
    if (this.exited) return 'exited';
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.child.kill('SIGKILL');
    }, graceMs);
    await done;
    clearTimeout(timer);
    return killed ? 'killed' : 'exited';
  }

  /**
   * Ctrl-C in the terminal that started it: SIGINT to every process of its process group (it must
   * have been started with `ownProcessGroup`). Resolves with its exit code once it has exited.
   */
  async interrupt(): Promise<number | null> {
    if (this.exited) return this.child.exitCode;
    const done = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    process.kill(-this.child.pid!, 'SIGINT');
    return done;
  }

  /** Its exit code once it has exited by itself, or 'running' if it still runs after `timeoutMs`. */
  async exitCode(timeoutMs: number): Promise<number | null | 'running'> {
    if (this.exited) return this.child.exitCode;
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    const late = new Promise<'running'>((r) => (timer = setTimeout(() => r('running'), timeoutMs)));
    return Promise.race([exited, late]).finally(() => clearTimeout(timer));
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill('SIGKILL');
    await done;
  }
}

/** Waits until `GET <baseUrl>/v1/_ping` answers 200, or fails with the processes' logs. */
export async function waitForGateway(
  baseUrl: string,
  processes: HubProcess[],
  timeoutMs = 60000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/v1/_ping`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    const dead = processes.find((p) => !p.running);
    if (dead || Date.now() > deadline) throw new Error(`hub did not start:\n${logsOf(processes)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Each process's log tail (its warnings and errors), under its app's name. */
export const logsOf = (processes: HubProcess[], tail = 20000): string =>
  processes.map((p) => `--- ${p.app}${p.running ? '' : ' (exited)'}\n${p.log.slice(-tail)}`).join('\n');

/**
 * Runs `work`; if it fails, the error carries the hub's logs: a failure seen once in a CI run is
 * then diagnosable from that run's output alone.
 */
export async function withHubLogs<T>(processes: HubProcess[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error)
      error.message += `\n\nThe hub's logs (warnings and errors, last lines of each process):\n${logsOf(processes, 6000)}`;
    throw error;
  }
}
