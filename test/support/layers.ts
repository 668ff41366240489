import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';

export interface TestImage {
  id: string;
  parent: string | null;
  json: string;
  layer: Buffer;
}

/** A layer as docker makes one: an uncompressed tar of the files the image adds. */
export async function tarLayer(files: Record<string, string | Buffer>): Promise<Buffer> {
  const archive = pack();
  for (const [name, content] of Object.entries(files)) archive.entry({ name, mtime: new Date(0) }, content);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A chain of images, each with its own layer, parents first. */
export async function imageChain(name: string, layers: Record<string, string | Buffer>[]): Promise<TestImage[]> {
  const images: TestImage[] = [];
  for (const [i, files] of layers.entries()) {
    const id = createHash('sha256').update(`${name}-${i}-${Math.random()}`).digest('hex');
    const parent = images[i - 1]?.id ?? null;
    const json = JSON.stringify({ id, ...(parent ? { parent } : {}), created: '2014-01-01T00:00:00Z', container_config: { Cmd: ['/bin/sh'] } });
    images.push({ id, parent, json, layer: await tarLayer(files) });
  }
  return images;
}

/** An image built on `parent` (a `FROM` of a pulled base): its own id and layer. */
export async function imageOn(parent: TestImage, name: string, files: Record<string, string | Buffer>): Promise<TestImage> {
  const id = createHash('sha256').update(`${name}-${Math.random()}`).digest('hex');
  const json = JSON.stringify({ id, parent: parent.id, created: '2014-01-02T00:00:00Z', container_config: { Cmd: ['/app'] } });
  return { id, parent: parent.id, json, layer: await tarLayer(files) };
}

/** X-Docker-Checksum-Payload as the docker client computes it: sha256(json + "\n" + layer). */
export const payloadChecksum = (image: TestImage): string =>
  `sha256:${createHash('sha256').update(image.json).update('\n').update(image.layer).digest('hex')}`;
