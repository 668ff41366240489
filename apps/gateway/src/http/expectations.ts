import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { endWithRefusal } from './framework-errors';

/**
 * An `Expect` other than `100-continue` is a 417, as Node answers it, but with the hub's JSON error
 * body (Node's own 417 has none). Node asks this listener only for expectations it does not know.
 */
export function refuseUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (_request: IncomingMessage, response: ServerResponse) =>
    endWithRefusal(response, 417, 'Only Expect: 100-continue is understood'),
  );
}
