import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

export const createLogger = (name: string, level: string): Logger => pino({ name, level });
