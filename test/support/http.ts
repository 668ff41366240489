import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
  json(): unknown;
}

export const basic = (username: string, password: string): string =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** One HTTP exchange; `body` objects are sent as JSON the way the docker client sends them. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, json: () => JSON.parse(text) };
}

/** The confirmation link of the newest mail written for `username` under `<data>/mail`. */
export function confirmationPath(dataDir: string, username: string): string {
  const dir = join(dataDir, 'mail');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(`-${username}.eml`))
    .sort();
  if (files.length === 0) throw new Error(`no mail for ${username}`);
  // Undo quoted-printable soft line breaks and escapes before looking for the link.
  const mail = readFileSync(join(dir, files[files.length - 1]), 'utf8')
    .replace(/=\r?\n/g, '')
    .replace(/=3D/g, '=');
  const link = /https?:\/\/\S+\/confirm\?code=[A-Za-z0-9_-]+/.exec(mail);
  if (!link) throw new Error(`no link in the mail for ${username}`);
  const url = new URL(link[0]);
  return `${url.pathname}${url.search}`;
}

/**
 * Registers a user as a client that retries safely would: the same Idempotency-Key on every
 * attempt, again after a 503 (a hub just started may still be joining its consumer groups, and a
 * registration its read model has not shown yet is answered 503). Returns the last status.
 */
export async function registerRetrying(
  baseUrl: string,
  user: { username: string; password: string; email: string },
  timeoutMs = 60000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await http(baseUrl, 'POST', '/v1/users/', { body: user, headers: { 'Idempotency-Key': `register-${user.username}` } });
    if (answer.status !== 503 || Date.now() > deadline) return answer.status;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Bytes written as they are on one connection; resolves with what came back once the server closes it. */
export function rawExchange(url: string, bytes: string | Buffer): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}
