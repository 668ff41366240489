import { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * `performance.now()` when the request's headers were read: every change committed before it
     * (a write the client saw acknowledged, on any replica) must be in what the request reads.
     */
    arrivedAt: number;
  }
}

/** Stamps each request's arrival, before any hook or route that reads on its behalf. */
export function stampRequestArrival(fastify: FastifyInstance): void {
  fastify.decorateRequest('arrivedAt', 0);
  fastify.addHook('onRequest', (request, _reply, done) => {
    request.arrivedAt = performance.now();
    done();
  });
}

/** The arrival of `request`, or now for a request that was never stamped (an app built without the hook). */
export const arrivalOf = (request: FastifyRequest): number => request.arrivedAt || performance.now();
