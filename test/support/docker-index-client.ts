import { basic, http, HttpAnswer } from './http';

/**
 * The index side of a docker 1.x client, request for request as protocol.md §1.2/§1.3/§4 describe
 * them (headers included), so the suites play real push and pull conversations.
 */
export class DockerIndexClient {
  constructor(
    private readonly url: string,
    private readonly credentials?: { username: string; password: string },
  ) {}

  private auth(): Record<string, string> {
    // putImageRequest always sets Basic, even logged out: empty user and password (`Basic Og==`).
    return { Authorization: basic(this.credentials?.username ?? '', this.credentials?.password ?? '') };
  }

  /** Push step 1: `PUT /v1/repositories/<remote>/` with the image list (one entry per tag). */
  createRepository(remote: string, images: { id: string; Tag?: string }[]): Promise<HttpAnswer> {
    return http(this.url, 'PUT', `/v1/repositories/${remote}/`, {
      raw: JSON.stringify(images),
      headers: { ...this.auth(), 'Content-type': 'application/json', 'X-Docker-Token': 'true' },
    });
  }

  /** Push step 3: a tag, sent to the registry with the token the index gave. */
  putTag(remote: string, tag: string, imageId: string, token: string): Promise<HttpAnswer> {
    return http(this.url, 'PUT', `/v1/repositories/${remote}/tags/${tag}`, {
      raw: JSON.stringify(imageId),
      headers: { Authorization: `Token ${token}`, 'Content-type': 'application/json' },
    });
  }

  /** Push step 4: `PUT .../images` with `[]` — what every 1.x release sends. */
  validateImages(remote: string, endpoints: string): Promise<HttpAnswer> {
    return http(this.url, 'PUT', `/v1/repositories/${remote}/images`, {
      raw: '[]',
      headers: {
        ...this.auth(),
        'Content-type': 'application/json',
        'X-Docker-Token': 'true',
        'X-Docker-Endpoints': `http://${endpoints}/v1/`,
      },
    });
  }

  /** Pull step 1: Basic only when logged in. */
  getImages(remote: string): Promise<HttpAnswer> {
    const headers: Record<string, string> = { 'X-Docker-Token': 'true' };
    if (this.credentials) Object.assign(headers, this.auth());
    return http(this.url, 'GET', `/v1/repositories/${remote}/images`, { headers });
  }

  /** Pull step 2, with the token of step 1 (empty when none was given). */
  getTags(remote: string, token: string): Promise<HttpAnswer> {
    return http(this.url, 'GET', `/v1/repositories/${remote}/tags`, { headers: { Authorization: `Token ${token}` } });
  }

  /** The whole index push of `images` (parents first, the last one tagged): returns the write token. */
  async push(remote: string, images: string[], tag = 'latest'): Promise<string> {
    const created = await this.createRepository(
      remote,
      images.map((id, i) => (i === images.length - 1 ? { id, Tag: tag } : { id })),
    );
    if (created.status !== 200 && created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
    const token = created.headers.get('x-docker-token');
    const endpoints = created.headers.get('x-docker-endpoints');
    if (!token || !endpoints) throw new Error('index gave no token or endpoints');
    const tagged = await this.putTag(remote, tag, images[images.length - 1], token);
    if (tagged.status !== 200) throw new Error(`tag: ${tagged.status} ${tagged.text}`);
    const validated = await this.validateImages(remote, endpoints);
    if (validated.status !== 204) throw new Error(`images: ${validated.status} ${validated.text}`);
    return token;
  }
}

/** A random v1 image id (64 hex characters). */
export const imageIdOf = (seed: string): string =>
  require('node:crypto').createHash('sha256').update(seed).digest('hex') as string;
