import Fastify from 'fastify';
import { Pool } from 'pg';
import { searchJson } from '../apps/gateway/src/search/search-json';
import { SearchReadModel } from '../apps/gateway/src/search/search.read-model';

/**
 * The baseline for `GET /v1/search?q=`: bare Fastify running the gateway's own search query
 * (SearchReadModel, so the SQL is the same by construction) for an anonymous caller, answering
 * the same JSON (searchJson).
 */
async function main(): Promise<void> {
  const search = new SearchReadModel(new Pool({ connectionString: process.env.DATABASE_URL, max: 10 }));
  const app = Fastify();
  app.get<{ Querystring: { q?: string } }>('/v1/search', async (request, reply) => {
    const query = request.query.q ?? '';
    const { total, hits } = await search.search(query, null, 0, 25);
    const body = searchJson(query, 1, 25, total, hits);
    return reply.type('application/json').send(JSON.stringify(body));
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

void main();
