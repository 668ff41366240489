import { createServer } from 'node:net';

/** A TCP port nobody listens on right now, below the ephemeral range. */
export async function freePort(): Promise<number> {
  // Below the kernel's ephemeral range (32768-60999 here): a port the OS hands out for listen(0)
  // comes from that range, and between our check and the child's listen() an outgoing connection
  // (a pg or Kafka client) can be given the same port (EADDRINUSE). Each Jest worker draws from its
  // own span, so two workers do not pick the same port at the same moment either.
  const span = 3000;
  const base = 20000 + (Number(process.env.JEST_WORKER_ID ?? 0) % 4) * span;
  for (;;) {
    const port = base + Math.floor(Math.random() * span);
    // Nothing listens on a port handed out a moment ago yet: never hand it out twice.
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await isFree(port)) return port;
  }
}

const handedOut = new Set<number>();

/** The first of `count` consecutive ports nobody listens on right now (a broker and its controller, ...). */
export async function freePortRange(count: number): Promise<number> {
  for (;;) {
    const first = await freePort();
    if (first + count - 1 > 65535) continue;
    const others = Array.from({ length: count - 1 }, (_, i) => first + i + 1);
    if (others.some((port) => handedOut.has(port))) continue;
    const rest = await Promise.all(others.map(isFree));
    if (rest.every(Boolean)) {
      others.forEach((port) => handedOut.add(port));
      return first;
    }
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
