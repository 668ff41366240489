import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RepositoryActivity } from '@dockyard/contracts';
import { settledWithin } from '@dockyard/messaging';
import { ActivityThreadReply, ActivityThreadRequest, ActivityThreadSettings } from './audit-activity-thread.messages';

/** How long a stop waits for the thread's batch in flight and its pool (a process stop waits 10 s in all). */
const CLOSE_WAIT_MS = 4000;

interface ThreadLogger {
  error(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * The built worker, or, run from the TypeScript sources (the tests), the source compiled on load by
 * swc, which also maps the `@dockyard/*` imports from tsconfig.json.
 */
function workerEntry(): { file: string; execArgv: string[] } {
  const built = resolve(__dirname, 'audit-activity.worker.js');
  if (existsSync(built)) return { file: built, execArgv: [] };
  return { file: resolve(__dirname, 'audit-activity.worker.ts'), execArgv: ['--require', '@swc-node/register'] };
}

/**
 * The audit of pulls, pushes and logins on a thread of its own, with its own PostgreSQL pool. Every
 * pull becomes a hash-chained feed entry: the hashing, the inbox's JSON written and read back, and
 * the garbage of both cost the standalone hub 40 % of its pull reads on the thread that answers
 * HTTP (6,000–6,200 against 10,500–10,800 requests/s of `GET .../images` without them), and its
 * collections, which copied the batches in flight, held that thread 4 ms at a time: its p99 at
 * 4,000 requests/s was 20–28 ms instead of 3–5. The thread has its own heap and its own collector.
 *
 * A message is acknowledged (its promise resolves) once the thread has put it in the feed or kept
 * it in the inbox, as `AuditInbox.receiveActivity` does; if the thread fails meanwhile, the promise
 * rejects and the bus delivers the message again. A thread that ended is started again by the next
 * message.
 */
export class AuditActivityThread {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(
    private readonly settings: ActivityThreadSettings,
    private readonly logger: ThreadLogger,
  ) {}

  /** Starts the thread: its writer also folds what an earlier run left in the inbox. */
  start(): void {
    this.worker ??= this.spawn();
  }

  /** Resolves once the thread has the message in the feed or in its inbox. */
  receive(activity: RepositoryActivity): Promise<void> {
    return this.ask((id) => ({ kind: 'activity', id, activity }));
  }

  /** Resolves once the thread's writer has folded every message its inbox held when called. */
  drained(): Promise<void> {
    return this.ask((id) => ({ kind: 'drain', id }));
  }

  /**
   * Lets the thread finish its batch in flight, then ends it; after CLOSE_WAIT_MS (PostgreSQL away,
   * its pool not closing) it is ended where it stands: what it had kept stays in the inbox for the
   * next start, and what it had not answered is delivered again.
   */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((ended) => worker.once('exit', () => ended()));
    worker.postMessage({ kind: 'close' } satisfies ActivityThreadRequest);
    await settledWithin(CLOSE_WAIT_MS, exited);
    if (this.worker === worker) await worker.terminate();
  }

  private ask(request: (id: number) => ActivityThreadRequest): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the audit activity thread is closed'));
    const worker = (this.worker ??= this.spawn());
    const id = ++this.nextId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage(request(id));
    });
  }

  private spawn(): Worker {
    const { file, execArgv } = workerEntry();
    const worker = new Worker(file, { workerData: this.settings, execArgv });
    // A stopping process does not wait for the thread; `close()` is how it finishes its batch.
    worker.unref();
    worker.on('message', (reply: ActivityThreadReply) => {
      if (reply.kind === 'log') return this.logger[reply.level](reply.obj, `audit activity thread: ${reply.msg ?? ''}`);
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.kind === 'received' && reply.error) waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      else waiter.resolve();
    });
    worker.on('error', (error) => this.logger.error({ err: error }, 'audit activity thread failed'));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      const left = [...this.pending.values()];
      this.pending.clear();
      for (const waiter of left) waiter.reject(new Error('the audit activity thread stopped before it answered'));
    });
    return worker;
  }
}
