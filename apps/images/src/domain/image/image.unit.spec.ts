import { codeOf } from '@dockyard/testing';
import { ImageEvent, foldImage, imageRef, mountImage, recordLayer, storeJson, verifyChecksum } from './index';

const A = 'a'.repeat(64);
const P = 'b'.repeat(64);
const jsonOf = (id: string, parent?: string) => JSON.stringify({ id, ...(parent ? { parent } : {}), created: '2014-01-01T00:00:00Z' });
const after = (...events: ImageEvent[]) => foldImage(events);
const layer = { blobKey: 'k'.repeat(64), size: 3, payloadChecksum: 'sha256:1' };

/** A complete copy of `id` in `namespace`, uploaded the normal way. */
const complete = (namespace: string, id: string, json: string) => {
  const ref = imageRef(namespace, id);
  const stored = storeJson(after(), ref, json);
  const uploaded = recordLayer(after(...stored), ref, layer);
  return after(...stored, ...uploaded, ...verifyChecksum(after(...stored, ...uploaded), ref, 'tarsum+sha256:0', 'sha256:1'));
};

describe('Image aggregate (one copy per namespace)', () => {
  const alice = imageRef('alice', A);

  it('stores json, layer and checksum in the writer’s namespace; events name it', () => {
    const stored = storeJson(after(), alice, jsonOf(A));
    expect(stored).toEqual([{ type: 'ImageJsonStored', data: { namespace: 'alice', imageId: A, parent: null, json: jsonOf(A) } }]);
    const uploaded = recordLayer(after(...stored), alice, layer);
    expect(uploaded[0].data).toEqual({ namespace: 'alice', imageId: A, ...layer });
    const verified = verifyChecksum(after(...stored, ...uploaded), alice, 'tarsum+sha256:0', 'sha256:1');
    expect(verified).toEqual([
      { type: 'ChecksumVerified', data: { namespace: 'alice', imageId: A, checksum: 'tarsum+sha256:0', payloadChecksum: 'sha256:1' } },
    ]);
    expect(after(...stored, ...uploaded, ...verified).complete).toBe(true);
  });

  it('rejects invalid namespaces and ids; an organization repository’s copy is `org/name`', () => {
    expect(codeOf(() => imageRef('Alice!', A))).toBe('invalid');
    expect(codeOf(() => imageRef('alice/X', A))).toBe('invalid');
    expect(codeOf(() => imageRef('alice/images', A))).toBe('invalid');
    expect(codeOf(() => imageRef('alice/x/y', A))).toBe('invalid');
    expect(codeOf(() => imageRef('/x', A))).toBe('invalid');
    expect(codeOf(() => imageRef('alice', 'nope'))).toBe('invalid');
    expect(imageRef('library', A)).toEqual({ namespace: 'library', id: A });
    expect(imageRef('acme_org/app', A)).toEqual({ namespace: 'acme_org/app', id: A });
  });

  it('records a layer only over the json its payload checksum covered: a json stored again meanwhile is a conflict', () => {
    const first = storeJson(after(), alice, jsonOf(A));
    // Another push of the same id stores its json while the first push's layer streams in.
    const second = storeJson(after(...first), alice, jsonOf(A, P));
    expect(codeOf(() => recordLayer(after(...first, ...second), alice, layer, jsonOf(A)))).toBe('conflict');
    // The controls: over the json the copy holds; and a command without the field (an older gateway).
    expect(recordLayer(after(...first, ...second), alice, layer, jsonOf(A, P))).toHaveLength(1);
    expect(recordLayer(after(...first, ...second), alice, layer)).toHaveLength(1);
  });

  it('a complete copy refuses json, layer and checksum: "Image already exists"', () => {
    const state = complete('alice', A, jsonOf(A));
    expect(codeOf(() => storeJson(state, alice, jsonOf(A)))).toBe('already-exists');
    expect(codeOf(() => recordLayer(state, alice, layer))).toBe('already-exists');
    expect(codeOf(() => verifyChecksum(state, alice, '', 'sha256:1'))).toBe('already-exists');
  });

  describe('mountImage', () => {
    const bob = imageRef('bobby', A);
    const source = { namespace: 'alice', state: complete('alice', A, jsonOf(A)) };

    it('given alice’s complete image, when bob mounts it with the identical json, then bob’s copy is complete with alice’s layer', () => {
      const events = mountImage(after(), bob, source, jsonOf(A), null);
      expect(events).toEqual([
        {
          type: 'ImageMounted',
          data: {
            namespace: 'bobby',
            imageId: A,
            sourceNamespace: 'alice',
            parent: null,
            json: jsonOf(A),
            blobKey: layer.blobKey,
            size: 3,
            checksum: 'tarsum+sha256:0',
            payloadChecksum: 'sha256:1',
          },
        },
      ]);
      const mounted = after(...events);
      expect(mounted).toEqual({ json: jsonOf(A), parent: null, layer, checksum: 'tarsum+sha256:0', complete: true });
    });

    it('given a json that differs by one byte, then the mount is refused', () => {
      expect(codeOf(() => mountImage(after(), bob, source, `${jsonOf(A)} `, null))).toBe('invalid');
    });

    it('given a source still being uploaded (or absent), then the mount is refused', () => {
      const ref = imageRef('alice', A);
      const stored = storeJson(after(), ref, jsonOf(A));
      const uploading = after(...stored, ...recordLayer(after(...stored), ref, layer));
      expect(codeOf(() => mountImage(after(), bob, { namespace: 'alice', state: uploading }, jsonOf(A), null))).toBe('not-found');
      expect(codeOf(() => mountImage(after(), bob, { namespace: 'alice', state: after() }, jsonOf(A), null))).toBe('not-found');
    });

    it('given bob’s copy is already complete, then "Image already exists"', () => {
      expect(codeOf(() => mountImage(complete('bobby', A, jsonOf(A)), bob, source, jsonOf(A), null))).toBe('already-exists');
    });

    it('given bob’s own upload in progress, then the mount completes bob’s copy', () => {
      const stored = storeJson(after(), bob, jsonOf(A));
      expect(mountImage(after(...stored), bob, source, jsonOf(A), null)[0].type).toBe('ImageMounted');
    });

    it('refuses a source in the target’s own namespace', () => {
      expect(codeOf(() => mountImage(after(), bob, { namespace: 'bobby', state: source.state }, jsonOf(A), null))).toBe('invalid');
    });

    it('given a source with a parent, then the parent must already be complete in the target namespace', () => {
      const child = { namespace: 'alice', state: complete('alice', A, jsonOf(A, P)) };
      expect(codeOf(() => mountImage(after(), bob, child, jsonOf(A, P), null))).toBe('not-found');
      const stored = storeJson(after(), imageRef('bobby', P), jsonOf(P));
      expect(codeOf(() => mountImage(after(), bob, child, jsonOf(A, P), after(...stored)))).toBe('not-found');
      const events = mountImage(after(), bob, child, jsonOf(A, P), complete('bobby', P, jsonOf(P)));
      expect(events[0].data).toMatchObject({ namespace: 'bobby', parent: P });
    });
  });
});
