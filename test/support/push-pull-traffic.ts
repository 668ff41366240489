import { basic } from './http';
import { imageIdOf } from './docker-index-client';

/** One HTTP exchange the traffic made, as the client saw it. */
export interface Exchange {
  path: string;
  /** 0: no answer at all (the gateway was down, or the connection was cut). */
  status: number;
  ms: number;
  retryAfter: string | null;
  body: string;
}

/**
 * A docker 1.x client pushing and pulling without pause against one gateway while faults happen:
 * each push is the index conversation (`PUT .../repo/` → tag → `PUT .../images`) of a new
 * repository; a push counts as acknowledged once its last answer was a success. Pulls read
 * acknowledged repositories. Every exchange is kept, so a suite can check what failed and how.
 */
export class PushPullTraffic {
  readonly acknowledged: number[] = [];
  readonly exchanges: Exchange[] = [];
  pulls = { ok: 0, failed: 0 };
  /** When the last push and the last pull succeeded (ms since epoch). */
  lastPush = 0;
  lastPull = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private tried = 0;

  constructor(
    private readonly url: () => string,
    private readonly user: { username: string; password: string },
    private readonly requestTimeoutMs: number,
  ) {}

  /** Pushes begun so far. */
  get attempted(): number {
    return this.tried;
  }

  start(): void {
    this.running = true;
    this.loops = [this.pushLoop(), this.pullLoop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  repository(n: number): string {
    return `${this.user.username}/fault-${n}`;
  }

  image(n: number): string {
    return imageIdOf(`fault-image-${n}`);
  }

  /** Resolves once a push and a pull have both succeeded after `since` (ms since epoch). */
  async recovered(since: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.lastPush <= since || this.lastPull <= since) {
      if (Date.now() > deadline) throw new Error(`no successful push and pull within ${timeoutMs} ms of the fault's end`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Math.max(this.lastPush, this.lastPull) - since;
  }

  private async pushLoop(): Promise<void> {
    while (this.running) {
      const n = this.tried++;
      if (await this.push(n)) {
        this.acknowledged.push(n);
        this.lastPush = Date.now();
      } else {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async push(n: number): Promise<boolean> {
    const repo = this.repository(n);
    const id = this.image(n);
    const auth = basic(this.user.username, this.user.password);
    const created = await this.exchange('PUT', `/v1/repositories/${repo}/`, JSON.stringify([{ id, Tag: 'latest' }]), {
      Authorization: auth,
      'Content-Type': 'application/json',
      'X-Docker-Token': 'true',
    });
    if (created?.status !== 200 && created?.status !== 201) return false;
    const token = created.token;
    if (!token) return false;
    const tagged = await this.exchange('PUT', `/v1/repositories/${repo}/tags/latest`, JSON.stringify(id), {
      Authorization: `Token ${token}`,
      'Content-Type': 'application/json',
    });
    if (tagged?.status !== 200) return false;
    const listed = await this.exchange('PUT', `/v1/repositories/${repo}/images`, '[]', {
      Authorization: auth,
      'Content-Type': 'application/json',
      'X-Docker-Token': 'true',
    });
    return listed?.status === 204;
  }

  private async pullLoop(): Promise<void> {
    while (this.running) {
      const known = this.acknowledged;
      if (known.length === 0) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const n = known[Math.floor(Math.random() * known.length)];
      if (await this.pull(n)) {
        this.pulls.ok++;
        this.lastPull = Date.now();
      } else {
        this.pulls.failed++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private async pull(n: number): Promise<boolean> {
    const repo = this.repository(n);
    const images = await this.exchange('GET', `/v1/repositories/${repo}/images`, undefined, {
      Authorization: basic(this.user.username, this.user.password),
      'X-Docker-Token': 'true',
    });
    if (images?.status !== 200 || !images.body.includes(this.image(n)) || !images.token) return false;
    const tags = await this.exchange('GET', `/v1/repositories/${repo}/tags`, undefined, { Authorization: `Token ${images.token}` });
    return tags?.status === 200 && tags.body.includes(this.image(n));
  }

  private async exchange(
    method: string,
    path: string,
    body: string | undefined,
    headers: Record<string, string>,
  ): Promise<(Exchange & { token: string | null }) | undefined> {
    const started = Date.now();
    let answer: Exchange & { token: string | null };
    try {
      const response = await fetch(`${this.url()}${path}`, { method, headers, body, signal: AbortSignal.timeout(this.requestTimeoutMs) });
      answer = {
        path: `${method} ${path}`,
        status: response.status,
        ms: Date.now() - started,
        retryAfter: response.headers.get('retry-after'),
        body: await response.text(),
        token: response.headers.get('x-docker-token'),
      };
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      answer = { path: `${method} ${path}`, status: timedOut ? -1 : 0, ms: Date.now() - started, retryAfter: null, body: String(error), token: null };
    }
    this.exchanges.push({ path: answer.path, status: answer.status, ms: answer.ms, retryAfter: answer.retryAfter, body: answer.body.slice(0, 200) });
    return answer;
  }
}
