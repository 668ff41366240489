import { createHash } from 'node:crypto';
import { pack } from 'tar-stream';
import { HttpClient } from './http-client';
import { basicAuth } from './hub-processes';

/** The steps of a docker 1.x pull (protocol.md §1.3), in the order the client sends them. */
export const PULL_STEPS = ['index', 'tags', 'ancestry', 'json', 'layer'] as const;
export type PullStep = (typeof PULL_STEPS)[number];

export interface BenchImage {
  id: string;
  json: string;
  layer: Buffer;
}

/** A layer as docker makes one: an uncompressed tar of the files the image adds (a few KiB). */
async function tarLayer(name: string, bytes: number): Promise<Buffer> {
  const archive = pack();
  archive.entry({ name: `${name}.txt`, mtime: new Date(0) }, Buffer.alloc(bytes, name));
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Three images, each the parent of the next, each with a small layer of its own. */
export async function threeLayerImage(name: string): Promise<BenchImage[]> {
  const images: BenchImage[] = [];
  for (let i = 0; i < 3; i++) {
    const id = createHash('sha256').update(`${name}-${i}-${Date.now()}`).digest('hex');
    const parent = images[i - 1]?.id;
    const json = JSON.stringify({ id, ...(parent ? { parent } : {}), created: '2014-01-01T00:00:00Z', container_config: { Cmd: ['/bin/sh'] } });
    images.push({ id, json, layer: await tarLayer(`${name}-${i}`, 2048 * (i + 1)) });
  }
  return images;
}

function expect(what: string, status: number, wanted: number[]): void {
  if (!wanted.includes(status)) throw new Error(`${what} answered ${status}`);
}

/** Registers `username` (password secret1) and waits until the hub accepts the login. */
export async function register(client: HttpClient, username: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const answer = await client.send(
      'POST',
      '/v1/users/',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ username, password: 'secret1', email: `${username}@example.com` }),
    );
    // 400: already there (a retried registration); 503: a distributed hub still starting.
    if (answer.status === 201 || answer.status === 400) break;
    if (attempt > 100) throw new Error(`register answered ${answer.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The whole docker 1.x push of `images` to `remote` (index, then registry with the token), tagged latest. */
export async function pushImage(client: HttpClient, remote: string, auth: string, images: BenchImage[]): Promise<void> {
  const created = await client.send(
    'PUT',
    `/v1/repositories/${remote}/`,
    { Authorization: auth, 'Content-Type': 'application/json', 'X-Docker-Token': 'true' },
    JSON.stringify(images.map((image, i) => (i === images.length - 1 ? { id: image.id, Tag: 'latest' } : { id: image.id }))),
  );
  expect('push: PUT repository', created.status, [200, 201]);
  const token = { Authorization: `Token ${created.headers['x-docker-token']}` };
  for (const image of images) {
    expect('push: PUT json', (await client.send('PUT', `/v1/images/${image.id}/json`, { ...token, 'Content-Type': 'application/json' }, image.json)).status, [200]);
    expect('push: PUT layer', (await client.send('PUT', `/v1/images/${image.id}/layer`, { ...token, 'Content-Type': 'application/octet-stream' }, image.layer)).status, [200]);
    const payload = `sha256:${createHash('sha256').update(image.json).update('\n').update(image.layer).digest('hex')}`;
    const checksum = await client.send('PUT', `/v1/images/${image.id}/checksum`, {
      ...token,
      'X-Docker-Checksum': `tarsum+sha256:${'0'.repeat(64)}`,
      'X-Docker-Checksum-Payload': payload,
    });
    expect('push: PUT checksum', checksum.status, [200]);
  }
  const top = images[images.length - 1].id;
  expect('push: PUT tag', (await client.send('PUT', `/v1/repositories/${remote}/tags/latest`, { ...token, 'Content-Type': 'application/json' }, JSON.stringify(top))).status, [200, 201]);
  const validated = await client.send('PUT', `/v1/repositories/${remote}/images`, { Authorization: auth, 'Content-Type': 'application/json', 'X-Docker-Token': 'true' }, '[]');
  expect('push: PUT images', validated.status, [204]);
}

/** Milliseconds spent in each step of one pull. */
export type PullTimes = Record<PullStep, number>;

/**
 * One `docker pull <remote>:latest` as a 1.x client sends it: the index call with
 * `X-Docker-Token: true` (Basic only when logged in), then with `Authorization: Token <token>`
 * the tags, the ancestry of the tagged image, and the json and layer of each image, root first.
 */
export async function pull(client: HttpClient, remote: string, credentials?: { username: string; password: string }): Promise<PullTimes> {
  const times: PullTimes = { index: 0, tags: 0, ancestry: 0, json: 0, layer: 0 };
  const timed = async (step: PullStep, method: string, path: string, headers: Record<string, string>) => {
    const started = process.hrtime.bigint();
    const answer = await client.send(method, path, headers);
    times[step] += Number(process.hrtime.bigint() - started) / 1e6;
    expect(`pull: ${step} ${path}`, answer.status, [200]);
    return answer;
  };
  const indexHeaders: Record<string, string> = { 'X-Docker-Token': 'true' };
  if (credentials) indexHeaders.Authorization = basicAuth(credentials.username, credentials.password);
  const index = await timed('index', 'GET', `/v1/repositories/${remote}/images`, indexHeaders);
  const token = { Authorization: `Token ${index.headers['x-docker-token'] ?? ''}` };
  const tags = JSON.parse((await timed('tags', 'GET', `/v1/repositories/${remote}/tags`, token)).body.toString()) as Record<string, string>;
  const ancestry = JSON.parse((await timed('ancestry', 'GET', `/v1/images/${tags.latest}/ancestry`, token)).body.toString()) as string[];
  for (const id of [...ancestry].reverse()) {
    await timed('json', 'GET', `/v1/images/${id}/json`, token);
    await timed('layer', 'GET', `/v1/images/${id}/layer`, token);
  }
  return times;
}

/** Requests one pull of a `layers`-image sends: index, tags, ancestry, then json and layer per image. */
export const requestsPerPull = (layers: number): number => 3 + 2 * layers;
