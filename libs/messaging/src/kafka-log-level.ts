import { logLevel } from 'kafkajs';

// kafkajs keeps its protocol error table internal; the version is pinned (and patched), and the
// unit spec fails if the table moves.
const { errorCodes } = require('kafkajs/src/protocol/error') as { errorCodes: { message: string; retriable: boolean }[] };

/** The broker's answers kafkajs retries by itself: a partition leader moving, a group coordinator still loading. */
const RETRIED_BY_KAFKAJS = new Set(errorCodes.filter((code) => code.retriable).map((code) => code.message));

/** A consumer's crash on such an answer (`consumer/index.js` logs "Crash: <name>: <message>"), which kafkajs restarts from. */
const RETRIED_CRASH = /^Crash: KafkaJS\w+: (.*)$/;

/** kafkajs restarting a crashed consumer by itself: the recovery, not the failure. */
const RESTARTING = /^Restarting the consumer in \d+ms$/;

const retriedByKafkajs = (entry: { message?: unknown; error?: unknown }): boolean => {
  if (typeof entry.error === 'string') return RETRIED_BY_KAFKAJS.has(entry.error);
  if (typeof entry.message !== 'string') return false;
  const crash = RETRIED_CRASH.exec(entry.message);
  return crash !== null ? RETRIED_BY_KAFKAJS.has(crash[1]) : RESTARTING.test(entry.message);
};

/**
 * The level a kafkajs log line (its `message` and fields) is written at. kafkajs logs every error
 * answer of the broker at ERROR, those it then retries too, and a consumer that crashes on one and
 * that it restarts logs two more; every service start against a broker that is itself starting, or
 * a topic created a moment ago, wrote a few such lines ("This server is not the leader for that
 * topic-partition", "The coordinator is loading"). An alert on error lines must not fire at each
 * deploy for what kafkajs recovers from, so those are warnings; what it gives up on stays an error.
 */
export const kafkaLogLevel = (level: logLevel, entry: { message?: unknown; error?: unknown }): 'error' | 'warn' =>
  level <= logLevel.ERROR && !retriedByKafkajs(entry) ? 'error' : 'warn';
