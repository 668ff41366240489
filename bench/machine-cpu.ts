import { readFileSync } from 'node:fs';

/** The machine's CPU time so far (all cores, from /proc/stat): busy and total, in seconds (100 ticks/s). */
export function machineCpu(): { busy: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / 100, total: total / 100 };
}
