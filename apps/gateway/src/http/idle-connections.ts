import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * Drops connections on which the client has gone quiet for `idleMs`: headers or a body that stall,
 * a kept-alive connection nobody uses, a download nobody reads. Never a transfer that keeps moving:
 * there is no whole-request deadline (Node's `requestTimeout` is off), so a layer upload of any size
 * takes as long as it needs while bytes arrive. A connection whose request has fully arrived and is
 * still being worked on (commands, read-your-writes waits) is the server's time, not idleness, and
 * is not dropped.
 */
export function dropIdleConnections(server: Server, idleMs: number): void {
  server.requestTimeout = 0;
  // Node checks these deadlines on a timer of its own; the idle timer below is per socket.
  server.headersTimeout = idleMs;
  // Tell keep-alive clients (`Keep-Alive: timeout=`) to stop reusing a connection before we drop it.
  server.keepAliveTimeout = idleMs;
  server.setTimeout(idleMs);

  const current = new WeakMap<Socket, { request: IncomingMessage; response: ServerResponse }>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    current.set(request.socket, { request, response });
  });
  // With a listener here Node no longer destroys timed-out sockets itself: this decides.
  server.on('timeout', (socket: Socket) => {
    const exchange = current.get(socket);
    const working = exchange && exchange.request.complete && !exchange.response.headersSent && !exchange.response.writableEnded;
    if (!working) socket.destroy();
  });
}
