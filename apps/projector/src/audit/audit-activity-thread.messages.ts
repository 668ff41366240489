/** What the projector's main thread and its audit activity thread say to each other (audit-activity-thread.ts). */

export interface ActivityThreadSettings {
  databaseUrl: string;
  poolSize: number;
  pollMs?: number;
}

export type ActivityThreadRequest =
  | { kind: 'activity'; id: number; activity: unknown }
  | { kind: 'drain'; id: number }
  | { kind: 'close' };

export type ActivityThreadReply =
  | { kind: 'received'; id: number; error?: { message: string; code?: string } }
  | { kind: 'drained'; id: number }
  | { kind: 'log'; level: 'error' | 'warn'; obj: object; msg?: string };
