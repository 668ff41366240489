import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * Every port a bench listens on is BENCH_PORT_BASE (5600) + a fixed offset, so a bench run can be
 * moved away from the ports a test run or another bench run holds on the same machine.
 */
export const benchPort = (offset: number): number => Number(process.env.BENCH_PORT_BASE || 5600) + offset;

/** The V8 flags the hub's own start commands give it (package.json's `start`, the Dockerfile's NODE_OPTIONS). */
export const HUB_NODE_OPTIONS = '--max-semi-space-size=64';

/**
 * Starts a built script of the checkout at `root` (this one by default) as a child process, with
 * the hub's V8 flags: every server a bench compares (the hub, a baseline build, bare Fastify) runs
 * as the hub is run.
 */
export function startBuild(root: string, script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [resolve(root, script)], {
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_OPTIONS: `${HUB_NODE_OPTIONS} ${process.env.NODE_OPTIONS ?? ''}`.trim(), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Starts a built script of this repository as a child process. */
export const startScript = (script: string, env: Record<string, string>): ChildProcess => startBuild(ROOT, script, env);

/** Stops children with SIGTERM and waits until each has exited. */
export async function stopAll(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux, 100 ticks/s). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces), utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // the process has gone: it adds nothing more
  }
}

export async function waitFor(url: string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${url} did not answer`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The bootstrap admin every bench hub is started with: `/metrics` answers admins only. */
export const BENCH_ADMIN_ENV = { DOCKYARD_ADMIN_USERNAME: 'bench_admin', DOCKYARD_ADMIN_PASSWORD: 'secret1' };

/** A gateway's `/metrics` text (Prometheus), read as the bench admin. */
export async function gatewayMetrics(gateway: string): Promise<string> {
  const answer = await fetch(`${gateway}/metrics`, {
    headers: { Authorization: basicAuth(BENCH_ADMIN_ENV.DOCKYARD_ADMIN_USERNAME, BENCH_ADMIN_ENV.DOCKYARD_ADMIN_PASSWORD) },
  });
  if (answer.status !== 200) throw new Error(`metrics answered ${answer.status}`);
  return answer.text();
}

export const imageIds = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => require('node:crypto').createHash('sha256').update(`${prefix}-${i}`).digest('hex'));
