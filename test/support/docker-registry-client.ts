import { request } from 'node:http';
import { http, HttpAnswer } from './http';
import { TestImage, payloadChecksum } from './layers';

/** Sends `body` with chunked transfer encoding, as the docker client uploads layers. */
export function putChunked(url: string, path: string, body: Buffer, headers: Record<string, string>, cutAfter?: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      { method: 'PUT', hostname: target.hostname, port: target.port, path: target.pathname, headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, text, headers: new Headers(res.headers as Record<string, string>), json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    const chunk = 64 * 1024;
    const limit = cutAfter ?? body.length;
    for (let i = 0; i < limit; i += chunk) req.write(body.subarray(i, Math.min(i + chunk, limit)));
    if (cutAfter === undefined) req.end();
    else setTimeout(() => req.destroy(new Error('cut')), 200);
  });
}

/** The registry side of a docker 1.x push and pull (protocol.md §1.2, §1.3), with the index's token. */
export class DockerRegistryClient {
  /** How many `PUT .../layer` this client sent: a mounted image is never uploaded. */
  layerPuts = 0;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  private get auth() {
    return { Authorization: `Token ${this.token}` };
  }

  /** The four calls per image of a push: existence check, json, layer, checksum. */
  async pushImage(image: TestImage): Promise<'pushed' | 'skipped'> {
    const exists = await http(this.url, 'GET', `/v1/images/${image.id}/json`, { headers: this.auth });
    if (exists.status === 200) return 'skipped';
    const json = await http(this.url, 'PUT', `/v1/images/${image.id}/json`, { raw: image.json, headers: { ...this.auth, 'Content-type': 'application/json' } });
    if (json.status === 409 && json.text.includes('Image already exists')) return 'skipped';
    if (json.status !== 200) throw new Error(`json ${json.status} ${json.text}`);
    this.layerPuts++;
    const layer = await putChunked(this.url, `/v1/images/${image.id}/layer`, image.layer, this.auth);
    if (layer.status !== 200) throw new Error(`layer ${layer.status} ${layer.text}`);
    const checksum = await http(this.url, 'PUT', `/v1/images/${image.id}/checksum`, {
      headers: { ...this.auth, 'X-Docker-Checksum': `tarsum+sha256:${'0'.repeat(64)}`, 'X-Docker-Checksum-Payload': payloadChecksum(image) },
    });
    if (checksum.status !== 200) throw new Error(`checksum ${checksum.status} ${checksum.text}`);
    return 'pushed';
  }

  /** Pull of one tag: tags → ancestry → json and layer of each image (root first). */
  async pull(remote: string, tag: string): Promise<Map<string, { json: unknown; size: number; layer: Buffer }>> {
    const tags = await http(this.url, 'GET', `/v1/repositories/${remote}/tags`, { headers: this.auth });
    if (tags.status !== 200) throw new Error(`tags ${tags.status}`);
    const top = (tags.json() as Record<string, string>)[tag];
    const ancestry = await http(this.url, 'GET', `/v1/images/${top}/ancestry`, { headers: this.auth });
    if (ancestry.status !== 200) throw new Error(`ancestry ${ancestry.status}`);
    const pulled = new Map<string, { json: unknown; size: number; layer: Buffer }>();
    for (const id of [...(ancestry.json() as string[])].reverse()) {
      const json = await http(this.url, 'GET', `/v1/images/${id}/json`, { headers: this.auth });
      if (json.status !== 200) throw new Error(`json ${json.status}`);
      const size = Number(json.headers.get('x-docker-size'));
      if (!Number.isInteger(size)) throw new Error('X-Docker-Size is not an integer');
      const layer = await fetch(`${this.url}/v1/images/${id}/layer`, { headers: this.auth });
      if (layer.status !== 200) throw new Error(`layer ${layer.status}`);
      pulled.set(id, { json: json.json(), size, layer: Buffer.from(await layer.arrayBuffer()) });
    }
    return pulled;
  }
}
