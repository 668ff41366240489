import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { basicAuth, benchPort, imageIds, startScript, waitFor } from './hub-processes';
import { round } from './stats';

const HUB = `http://127.0.0.1:${benchPort(31)}`;
const MB = 1024 * 1024;

/** Resident memory of a process in MiB, from /proc (Linux). */
const rssOf = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
};

/** Watches a process's peak memory while `work` runs. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssOf(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
  try {
    return { result: await work(), peak };
  } finally {
    clearInterval(timer);
  }
}

/** A file of pseudo-random bytes (not compressible, made fast): 1 MiB of randomness repeated with a counter. */
async function makeLayer(path: string, sizeMb: number): Promise<void> {
  const block = createHash('sha512').update('seed').digest();
  const chunk = Buffer.alloc(MB);
  for (let i = 0; i < MB; i += block.length) block.copy(chunk, i);
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < sizeMb; i++) {
        chunk.writeUInt32BE(i, 0);
        yield Buffer.from(chunk);
      }
    })()),
    createWriteStream(path),
  );
}

function upload(path: string, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const target = new URL(url);
    const req = request(
      { method: 'PUT', hostname: target.hostname, port: target.port, path: target.pathname, headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

/**
 * Layer upload and download through the gateway against a plain file copy on the same disk, and the
 * gateway's peak memory while it moves the layer (it streams: memory must stay flat).
 */
export async function benchLayers(databaseUrl: string, sizeMb = Number(process.env.BENCH_LAYER_MB ?? 1024)): Promise<Record<string, number>> {
  const dir = resolve(__dirname, '../../.test-runs/bench-layers');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const layer = resolve(dir, 'layer.tar');
  await makeLayer(layer, sizeMb);

  const copyStarted = process.hrtime.bigint();
  await pipeline(createReadStream(layer), createWriteStream(resolve(dir, 'copy.tar')));
  const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
  rmSync(resolve(dir, 'copy.tar'));

  const hub = startScript('dist/apps/standalone/src/main.js', {
    PORT: String(benchPort(31)),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    DOCKYARD_REQUIRE_CONFIRMATION: 'false',
    DOCKYARD_DATA: resolve(dir, 'hub'),
  });
  try {
    await waitFor(`${HUB}/v1/_ping`);
    const auth = { Authorization: basicAuth('layer_user', 'secret1') };
    await fetch(`${HUB}/v1/users/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'layer_user', password: 'secret1', email: 'layer@example.com' }),
    });
    const [id] = imageIds('layer', 1);
    await fetch(`${HUB}/v1/repositories/layer_user/big/`, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ id }]),
    });
    const json = JSON.stringify({ id });
    await fetch(`${HUB}/v1/images/${id}/json`, { method: 'PUT', headers: { ...auth, 'Content-Type': 'application/json' }, body: json });
    const idle = rssOf(hub.pid!);

    const upStarted = process.hrtime.bigint();
    const up = await peakRss(hub.pid!, () => upload(layer, `${HUB}/v1/images/${id}/layer`, auth));
    const upSeconds = Number(process.hrtime.bigint() - upStarted) / 1e9;
    if (up.result !== 200) throw new Error(`upload answered ${up.result}`);
    const payload = createHash('sha256').update(json).update('\n');
    for await (const chunk of createReadStream(layer)) payload.update(chunk as Buffer);
    const verified = await fetch(`${HUB}/v1/images/${id}/checksum`, {
      method: 'PUT',
      headers: { ...auth, 'X-Docker-Checksum-Payload': `sha256:${payload.digest('hex')}` },
    });
    if (verified.status !== 200) throw new Error(`checksum answered ${verified.status}`);

    const downStarted = process.hrtime.bigint();
    const down = await peakRss(hub.pid!, async () => {
      const response = await fetch(`${HUB}/v1/images/${id}/layer`, { headers: auth });
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(resolve(dir, 'pulled.tar')));
    });
    const downSeconds = Number(process.hrtime.bigint() - downStarted) / 1e9;
    void down.result;
    return {
      layerMb: sizeMb,
      fileCopyMbPerSecond: round(sizeMb / copySeconds, 0),
      uploadMbPerSecond: round(sizeMb / upSeconds, 0),
      uploadRatio: round(copySeconds / upSeconds, 2),
      downloadMbPerSecond: round(sizeMb / downSeconds, 0),
      downloadRatio: round(copySeconds / downSeconds, 2),
      idleRssMb: round(idle, 0),
      uploadPeakRssMb: round(up.peak, 0),
      downloadPeakRssMb: round(down.peak, 0),
    };
  } finally {
    hub.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  }
}
