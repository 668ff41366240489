import Fastify from 'fastify';

/**
 * The ceiling for `GET /v1/repositories/(ns)/(repo)/images`: bare Fastify answering a constant JSON
 * body (BODY, the gateway's own answer, so both send the same bytes) without reading anything.
 */
async function main(): Promise<void> {
  const body = process.env.BODY ?? '[]';
  const app = Fastify();
  app.get('/v1/repositories/:ns/:name/images', async (_request, reply) => reply.type('application/json').send(body));
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

void main();
