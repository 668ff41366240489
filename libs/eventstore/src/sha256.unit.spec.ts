import { createHash } from 'node:crypto';
import { sha256 } from './sha256';

describe('sha256', () => {
  it('is the standard digest (FIPS 180-2 test vector) and equals createHash for any text', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const text of ['', 'é ü 中文 🐳', '{"a":1}'.repeat(1000)]) {
      expect(sha256(text)).toBe(createHash('sha256').update(text).digest('hex'));
    }
  });
});
