import { Agent, request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * A plain keep-alive HTTP client (node:http): what a docker client's Go transport does, and far
 * cheaper per request than `fetch` on a machine whose two cores the client shares with the hub.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly target: URL;

  constructor(baseUrl: string, sockets: number) {
    this.target = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          method,
          hostname: this.target.hostname,
          port: this.target.port,
          path,
          headers: body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
