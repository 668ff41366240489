import { createHash } from 'node:crypto';

/** The RFC 4122 URL namespace: any fixed namespace works, this one is well known. */
const NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/** A name-based (version 5, SHA-1) UUID: the same name always gives the same id. */
export function uuidV5(name: string, namespace: Buffer = NAMESPACE): string {
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of the `index`-th event (0-based, over the whole command) a command appends: derived from
 * the command id, so a command executed twice would write the same event ids and the store's unique
 * `event_id` refuses the second copy.
 */
export const eventIdFor = (commandId: string, index: number): string => uuidV5(`${commandId}:${index}`);
