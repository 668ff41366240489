import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { basicAuth, benchPort, cpuSeconds, imageIds, startScript, waitFor } from './hub-processes';
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

/** Whether curl is on this machine: a native client, as the docker client is (Go), not a Node one. */
const hasCurl = (): boolean => spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

/** The hub's CPU seconds (utime + stime, /proc) and the wall seconds `work` took. */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; seconds: number; hubCpuSeconds: number }> {
  const cpu = cpuSeconds(pid);
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, hubCpuSeconds: cpuSeconds(pid) - cpu };
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

    const up = await measured(hub.pid!, () => peakRss(hub.pid!, () => upload(layer, `${HUB}/v1/images/${id}/layer`, auth)));
    if (up.result.result !== 200) throw new Error(`upload answered ${up.result.result}`);
    const payload = createHash('sha256').update(json).update('\n');
    for await (const chunk of createReadStream(layer)) payload.update(chunk as Buffer);
    const verified = await fetch(`${HUB}/v1/images/${id}/checksum`, {
      method: 'PUT',
      headers: { ...auth, 'X-Docker-Checksum-Payload': `sha256:${payload.digest('hex')}` },
    });
    if (verified.status !== 200) throw new Error(`checksum answered ${verified.status}`);

    const down = await measured(hub.pid!, () =>
      peakRss(hub.pid!, async () => {
        const response = await fetch(`${HUB}/v1/images/${id}/layer`, { headers: auth });
        await pipeline(Readable.fromWeb(response.body as never), createWriteStream(resolve(dir, 'pulled.tar')));
      }),
    );
    rmSync(resolve(dir, 'pulled.tar'));
    // The same download read by curl: how fast the hub sends when its client costs next to nothing.
    // The Node client above spends about three CPU seconds a GiB of its own (fetch's web stream into
    // a file stream) on the same two cores.
    const native = hasCurl()
      ? await measured(hub.pid!, () =>
          promisify(execFile)('curl', ['-sS', '--fail', '-o', resolve(dir, 'pulled.tar'), '-H', `Authorization: ${auth.Authorization}`, `${HUB}/v1/images/${id}/layer`]),
        )
      : undefined;
    const gib = sizeMb / 1024;
    return {
      layerMb: sizeMb,
      fileCopyMbPerSecond: round(sizeMb / copySeconds, 0),
      uploadMbPerSecond: round(sizeMb / up.seconds, 0),
      uploadRatio: round(copySeconds / up.seconds, 2),
      uploadHubCpuSecondsPerGib: round(up.hubCpuSeconds / gib, 2),
      downloadMbPerSecond: round(sizeMb / down.seconds, 0),
      downloadRatio: round(copySeconds / down.seconds, 2),
      downloadHubCpuSecondsPerGib: round(down.hubCpuSeconds / gib, 2),
      ...(native && {
        nativeDownloadMbPerSecond: round(sizeMb / native.seconds, 0),
        nativeDownloadRatio: round(copySeconds / native.seconds, 2),
        nativeDownloadHubCpuSecondsPerGib: round(native.hubCpuSeconds / gib, 2),
      }),
      idleRssMb: round(idle, 0),
      uploadPeakRssMb: round(up.result.peak, 0),
      downloadPeakRssMb: round(down.result.peak, 0),
    };
  } finally {
    hub.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dir, { recursive: true, force: true });
  }
}
