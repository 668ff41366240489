import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A CPU limit on a group of processes, as Kubernetes enforces a container's `limits.cpu`: the
 * kernel's CFS quota on a cgroup (v1 `cpu.cfs_quota_us`, or v2 `cpu.max`). It lets one machine
 * stand in for several small ones: each gateway replica gets its own fraction of a core, so the
 * replicas bench can show what a second replica adds when a replica — not the machine — is the limit.
 *
 * Written by hand: no maintained npm package writes cgroup files; this is two writes and a rmdir.
 */
export class CpuQuota {
  private constructor(private readonly dir: string) {}

  /** The cgroup hierarchy that can limit CPU here, or null (not Linux, no cpu controller, not root). */
  private static root(): { path: string; version: 1 | 2 } | null {
    const v1 = '/sys/fs/cgroup/cpu';
    if (existsSync(join(v1, 'cpu.cfs_quota_us'))) return { path: v1, version: 1 };
    const v2 = '/sys/fs/cgroup';
    try {
      if (readFileSync(join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return { path: v2, version: 2 };
    } catch {
      // no cgroup v2 here either
    }
    return null;
  }

  /**
   * A new group limited to `cores` (e.g. 0.2 = 20 ms in every 100 ms), or null where this machine
   * does not let the bench make one; the caller then reports the limited rows as not run.
   */
  static create(name: string, cores: number): CpuQuota | null {
    const root = CpuQuota.root();
    if (!root) return null;
    // A short period: the quota is spent in 2 ms slices every 10 ms rather than 20 ms every 100 ms,
    // so a throttled replica stalls its requests for milliseconds, not for most of a tenth of a second.
    const periodUs = 10_000;
    const quotaUs = Math.max(1000, Math.round(cores * periodUs));
    const dir = join(root.path, name);
    try {
      mkdirSync(dir, { recursive: true });
      if (root.version === 1) {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
      } else {
        writeFileSync(join(root.path, 'cgroup.subtree_control'), '+cpu');
        writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
      }
      return new CpuQuota(dir);
    } catch {
      return null;
    }
  }

  /** Puts a process (all its threads: V8's compiler and GC helpers count against the quota too) in the group. */
  add(pid: number): void {
    writeFileSync(join(this.dir, 'cgroup.procs'), String(pid));
  }

  /** How long the group's processes waited for quota, in seconds, so far. */
  throttledSeconds(): number {
    try {
      const stat = readFileSync(join(this.dir, 'cpu.stat'), 'utf8');
      const v1 = /throttled_time (\d+)/.exec(stat); // nanoseconds
      if (v1) return Number(v1[1]) / 1e9;
      const v2 = /throttled_usec (\d+)/.exec(stat);
      return v2 ? Number(v2[1]) / 1e6 : 0;
    } catch {
      return 0;
    }
  }

  /** Removes the group once its processes have exited (a group with live processes cannot go). */
  remove(): void {
    try {
      rmdirSync(this.dir);
    } catch {
      // still in use, or gone: a later run's `create` reuses the folder
    }
  }
}
