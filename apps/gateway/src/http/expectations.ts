import { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * An `Expect` other than `100-continue` is a 417, as Node answers it, but with the hub's JSON error
 * body (Node's own 417 has none). Node asks this listener only for expectations it does not know.
 */
export function refuseUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify({ error: 'Only Expect: 100-continue is understood' });
    response.writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).end(body);
  });
}
