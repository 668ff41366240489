import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { REQUEST_TIMED_OUT, endWithRefusal, writeRawRefusal } from './framework-errors';

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
    if (exchange && !exchange.response.writableEnded) {
      if (exchange.request.complete) {
        // The whole request arrived: the hub is working on it (not idle), or a download stopped being read.
        if (exchange.response.headersSent) socket.destroy();
        return;
      }
      // Its body stalled: answered 408 as every refusal is answered, then the connection closes.
      if (exchange.response.headersSent) socket.destroy();
      else endWithRefusal(exchange.response, 408, REQUEST_TIMED_OUT);
      return;
    }
    // The first request's headers stalled (bytes came, no request yet): a 408 written on the socket
    // itself, since Node has no request for them. After an answered request the connection is only
    // closed: Node reads the next request's first bytes with the last one's, so this cannot tell a
    // stalled second request from a quiet kept-alive connection.
    if (!exchange && socket.bytesRead > 0 && socket.writable) {
      writeRawRefusal(socket, 408, REQUEST_TIMED_OUT);
      socket.end();
      return;
    }
    socket.destroy();
  });
}
