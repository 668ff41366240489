import { AuditEntry } from '@dockyard/contracts';
import { checkpointSignatureValid, feedHeadOf, newSigningKey, signCheckpoint, signingKeyFrom } from './audit-checkpoint';

const entry = (cursor: number, data: Record<string, unknown> = {}): AuditEntry => ({
  cursor: String(cursor),
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, cursor)).toISOString(),
  type: 'TagSet',
  actor: 'user:alice_01',
  source_ip: '127.0.0.1',
  user_agent: 'docker/1.6.2',
  request_id: `req-${cursor}`,
  repository_id: 'r1',
  service: 'images',
  stream: 'images-r1',
  version: cursor,
  data: { tag: 'latest', imageId: `img${cursor}`, ...data },
  hash: `h${cursor}`,
  prev_hash: `h${cursor - 1}`,
});

describe('the audit feed hash and its checkpoints', () => {
  const feed = [entry(1), entry(2), entry(3)];

  it('is the same for the same entries, and covers every entry up to the position', async () => {
    const head = await feedHeadOf(feed);
    expect(head.position).toBe('3');
    expect(await feedHeadOf([entry(1), entry(2), entry(3)])).toEqual(head);
    expect((await feedHeadOf(feed.slice(0, 2))).head).not.toBe(head.head);
  });

  it('changes when an entry is edited, removed or inserted', async () => {
    const { head } = await feedHeadOf(feed);
    expect((await feedHeadOf([entry(1), entry(2, { imageId: 'forged' }), entry(3)])).head).not.toBe(head);
    expect((await feedHeadOf([entry(1), { ...entry(2), source_ip: '10.0.0.9' }, entry(3)])).head).not.toBe(head);
    expect((await feedHeadOf([entry(1), entry(3)])).head).not.toBe(head);
    expect((await feedHeadOf([entry(1), entry(2), entry(2), entry(3)])).head).not.toBe(head);
  });

  it('is signed with Ed25519: the signature verifies with the public key, and not for another head', () => {
    const key = signingKeyFrom(newSigningKey());
    const checkpoint = signCheckpoint(key, '3', 'abc', '2026-01-01T00:00:00.000Z');
    expect(checkpointSignatureValid(checkpoint, checkpoint.public_key)).toBe(true);
    expect(checkpointSignatureValid({ ...checkpoint, head: 'abd' }, checkpoint.public_key)).toBe(false);
    expect(checkpointSignatureValid({ ...checkpoint, position: '4' }, checkpoint.public_key)).toBe(false);
  });

  it('refuses a signing key that is not Ed25519', () => {
    const { generateKeyPairSync } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signingKeyFrom(rsa)).toThrow(/Ed25519/);
  });
});
