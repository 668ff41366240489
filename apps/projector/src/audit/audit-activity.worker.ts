import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'pg';
import { RepositoryActivity } from '@dockyard/contracts';
import { hubPoolConfig, logPoolErrors } from '@dockyard/runtime';
import { AuditInbox } from './audit-inbox';
import { ActivityThreadReply, ActivityThreadRequest, ActivityThreadSettings } from './audit-activity-thread.messages';

/**
 * The audit's activity side on a thread of its own (audit-activity-thread.ts): it takes the activity
 * messages the projector receives into the feed (or its inbox), and its writer folds the inbox.
 */
const settings = workerData as ActivityThreadSettings;
const port = parentPort!;
const pool = new Pool(hubPoolConfig(settings.databaseUrl, settings.poolSize));
const log = (level: 'error' | 'warn', obj: object, msg?: string) =>
  port.postMessage({ kind: 'log', level, obj: serializable(obj), msg } satisfies ActivityThreadReply);
const logger = { error: (obj: object, msg?: string) => log('error', obj, msg), warn: (obj: object, msg?: string) => log('warn', obj, msg) };
logPoolErrors(pool, logger);
// This writer takes no TokenIssued rows (`takes`), so it never hands one to a fallback; if it ever
// did, the row must stay in the inbox for the projector's writer, not be deleted as handled.
const noFallback = async (): Promise<never> => {
  throw new Error('the audit activity thread takes no TokenIssued rows');
};
const inbox = new AuditInbox(pool, noFallback, {
  pollMs: settings.pollMs,
  takes: { events: false, activity: true },
  logger,
});
inbox.start();

port.on('message', (request: ActivityThreadRequest) => {
  if (request.kind === 'activity') {
    inbox.receiveActivity(request.activity as RepositoryActivity).then(
      () => port.postMessage({ kind: 'received', id: request.id } satisfies ActivityThreadReply),
      (error: Error) =>
        port.postMessage({ kind: 'received', id: request.id, error: { message: error.message, code: (error as { code?: string }).code } } satisfies ActivityThreadReply),
    );
  } else if (request.kind === 'drain') {
    void inbox.drained().then(() => port.postMessage({ kind: 'drained', id: request.id } satisfies ActivityThreadReply));
  } else if (request.kind === 'close') {
    void inbox
      .close()
      .then(() => pool.end())
      .finally(() => port.close());
  }
});

/** Log fields that survive postMessage (an error inside becomes its message and stack). */
function serializable(obj: object): object {
  return Object.fromEntries(
    Object.entries(obj).map(([key, value]) => [key, value instanceof Error ? { message: value.message, stack: value.stack, code: (value as { code?: string }).code } : value]),
  );
}
