import { hash } from 'node:crypto';

/**
 * SHA-256 of a string, hex. `crypto.hash` is Node's one-shot digest (no Hash object): half the time
 * of `createHash(...).update(...).digest(...)` for the short texts chained here, which the audit
 * feed hashes three times for every pull.
 */
export const sha256 = (text: string): string => hash('sha256', text, 'hex');
