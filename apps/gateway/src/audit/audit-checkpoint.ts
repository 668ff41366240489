import { KeyObject, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { AUDIT_FEED_GENESIS, AuditEntry } from '@dockyard/contracts';
import { nextFeedHash } from '@dockyard/eventstore';

/** A signed statement "the feed up to `position` hashes to `head`" (`GET /v1/audit/checkpoint`). */
export interface AuditCheckpoint {
  position: string;
  head: string;
  time: string;
  /** Ed25519 over `checkpointMessage`, base64. */
  signature: string;
  /** SPKI PEM of the key that signed it. */
  public_key: string;
}

/** What a checkpoint's signature covers. */
export const checkpointMessage = (position: string, head: string, time: string): Buffer =>
  Buffer.from(`dockyard-audit-checkpoint\n${position}\n${head}\n${time}`);

export function signCheckpoint(key: KeyObject, position: string, head: string, time: string): AuditCheckpoint {
  return {
    position,
    head,
    time,
    signature: sign(null, checkpointMessage(position, head, time), key).toString('base64'),
    public_key: createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Whether `checkpoint` was signed by the holder of `publicKeyPem` (what an auditor checks offline). */
export const checkpointSignatureValid = (checkpoint: AuditCheckpoint, publicKeyPem: string): boolean =>
  verify(null, checkpointMessage(checkpoint.position, checkpoint.head, checkpoint.time), publicKeyPem, Buffer.from(checkpoint.signature, 'base64'));

/** A new Ed25519 private key, PKCS#8 PEM. */
export const newSigningKey = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export const signingKeyFrom = (pem: string): KeyObject => {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('DOCKYARD_AUDIT_SIGNING_KEY must be an Ed25519 private key (PKCS#8 PEM)');
  return key;
};

/**
 * The running hash of the feed over `entries` (positions 1, 2, ... in order, none missing): what
 * the projector stored as it appended them. Recomputed from the entries as they are now, it
 * differs from a checkpoint's head if any entry up to it was changed, removed or inserted.
 */
export async function feedHeadOf(entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): Promise<{ position: string; head: string }> {
  let head = AUDIT_FEED_GENESIS;
  let expected = 1n;
  let position = '0';
  for await (const entry of entries) {
    // A removed entry leaves a hole in the gap-free positions: the chain no longer holds.
    if (BigInt(entry.cursor) !== expected) return { position, head: `missing position ${expected}` };
    head = nextFeedHash(head, entry);
    position = entry.cursor;
    expected++;
  }
  return { position, head };
}
