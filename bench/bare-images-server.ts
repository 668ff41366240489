import Fastify from 'fastify';
import { Pool } from 'pg';

/**
 * The baseline for `GET /v1/repositories/(ns)/(repo)/images`: bare Fastify running the same two
 * queries on the same read model as the gateway (repository by name, then its images).
 */
async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  const app = Fastify();
  app.get<{ Params: { ns: string; name: string } }>('/v1/repositories/:ns/:name/images', async (request, reply) => {
    const repository = await pool.query(
      `SELECT repository_id, namespace, name, kind, description, full_description, is_public, logo, star_count,
              download_count, upload_count, pulled_at, pushed_at, created_at, updated_at
       FROM read.repositories WHERE namespace = $1 AND name = $2`,
      [request.params.ns, request.params.name],
    );
    if (!repository.rows[0]) return reply.status(404).send({ error: 'Repository not found' });
    const images = await pool.query(
      'SELECT image_id AS id, checksum FROM read.repository_images WHERE repository_id = $1 ORDER BY added_at',
      [repository.rows[0].repository_id],
    );
    return reply.type('application/json').send(JSON.stringify(images.rows));
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

void main();
