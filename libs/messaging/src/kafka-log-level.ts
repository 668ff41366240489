import { logLevel } from 'kafkajs';

// kafkajs keeps its protocol error table internal; the version is pinned (and patched), and the
// unit spec fails if the table moves.
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { message: string; retriable: boolean }[] };

/** The broker's answers kafkajs retries by itself: a partition leader moving, a group coordinator still loading. */
const RETRIED_BY_KAFKAJS = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));

/**
 * The level a kafkajs log line is written at. kafkajs logs every error answer of the broker at
 * ERROR, those it then retries too; every service start against a broker that is itself starting,
 * or a topic created a moment ago, wrote a few such lines ("This server is not the leader for that
 * topic-partition", "The coordinator is loading"). An alert on error lines must not fire at each
 * deploy for what kafkajs recovers from, so those are warnings; what it gives up on stays an error.
 */
export const kafkaLogLevel = (level: logLevel, entry: Record<string, unknown>): 'error' | 'warn' =>
  level <= logLevel.ERROR && !(typeof entry.error === 'string' && RETRIED_BY_KAFKAJS.has(entry.error)) ? 'error' : 'warn';
