import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who starred which repository (one row per star; read.repositories.star_count counts them). Rows
 * go with their repository's life: a deleted repository's stars are gone.
 */
export class CreateStars1732400030200 implements MigrationInterface {
  name = 'CreateStars1732400030200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.stars (
      username text NOT NULL,
      repository_id uuid NOT NULL,
      starred_at timestamptz NOT NULL,
      PRIMARY KEY (username, repository_id))`);
    await queryRunner.query(`CREATE INDEX stars_by_repository ON read.stars (repository_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.stars`);
  }
}
