import { DomainErrorCode, MessageMetadata } from '@dockyard/contracts';

/** A command as it travels on `<prefix>.<service>.commands`. */
export interface CommandEnvelope {
  pattern: string;
  payload: unknown;
  metadata: MessageMetadata;
  /** Epoch ms after which the sender has given up: a late command is dropped, not executed. */
  expiresAt: number;
}

/** A command's answer on `<prefix>.replies`. */
export type CommandReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: DomainErrorCode | 'internal'; message: string } };
