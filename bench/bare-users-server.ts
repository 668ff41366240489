import Fastify from 'fastify';
import { Pool } from 'pg';

/**
 * The baseline for the login read path: bare Fastify running the same SQL on the same read model
 * as the gateway's warm-cache `GET /v1/users/` (no Nest, no auth logic, no cache).
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const app = Fastify();
  app.get('/v1/users/', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const username = Buffer.from(header.slice(6), 'base64').toString().split(':')[0];
    const { rows } = await pool.query(
      'SELECT username, emails, active, admin, credentials_version FROM read.users WHERE username = $1',
      [username],
    );
    return reply.type('application/json').send(rows.length ? '"OK"' : '{"error":"no"}');
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

void main();
