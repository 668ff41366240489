import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a hub without DOCKYARD_TOKEN_KEY keeps the master key it generated. */
export const tokenKeyFile = (dataDir: string): string => join(dataDir, 'token.key');

/**
 * The master key of a hub started without DOCKYARD_TOKEN_KEY: generated on the first start and
 * kept in the data folder (0600, like pg.password), so tokens issued before a restart still verify
 * after it. `wx`: of two processes starting at once, one writes and both read the same key.
 */
export function loadOrCreateTokenKey(dataDir: string): string {
  const file = tokenKeyFile(dataDir);
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A file copied in with looser permissions is tightened: it is a credential.
  chmodSync(file, 0o600);
  const key = readFileSync(file, 'utf8').trim();
  if (!key) throw new Error(`${file} is empty: remove it to generate a new token key, or set DOCKYARD_TOKEN_KEY`);
  return key;
}
