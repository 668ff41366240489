import { eventIdFor, uuidV5 } from './event-id';

describe('event ids derived from the command id', () => {
  it('is RFC 4122 version 5 (the reference vector of the DNS namespace)', () => {
    const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
    expect(uuidV5('python.org', dns)).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });

  it('the same command and index give the same id; any other command or index another', () => {
    expect(eventIdFor('cmd-1', 0)).toBe(eventIdFor('cmd-1', 0));
    expect(eventIdFor('cmd-1', 0)).toBe(uuidV5('cmd-1:0'));
    const ids = new Set([eventIdFor('cmd-1', 0), eventIdFor('cmd-1', 1), eventIdFor('cmd-2', 0), eventIdFor('cmd-10', 0)]);
    expect(ids.size).toBe(4);
    expect(eventIdFor('k:abc:3', 2)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
