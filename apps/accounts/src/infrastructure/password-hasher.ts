import { hash, verify } from '@node-rs/argon2';

/** Argon2id (the library's default algorithm) with its default cost: about 20 ms per hash here. */
export class PasswordHasher {
  // A real hash to verify against when the user does not exist, so both answers take as long.
  private readonly decoy = hash('decoy-password');

  hash(password: string): Promise<string> {
    return hash(password);
  }

  async verify(passwordHash: string | null, password: string): Promise<boolean> {
    if (passwordHash === null) {
      await verify(await this.decoy, password).catch(() => false);
      return false;
    }
    return verify(passwordHash, password).catch(() => false);
  }
}
