import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The newest life of each repository name (repository-lives.ts), kept after its deletion too, so
 * the read model's unique (namespace, name) never depends on the order events of two lives arrive.
 * Existing rows are taken as the newest lives known (position 0: any life created later is newer).
 */
export class CreateRepositoryNames1732400020100 implements MigrationInterface {
  name = 'CreateRepositoryNames1732400020100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.repository_names (
      namespace text NOT NULL,
      name text NOT NULL,
      repository_id uuid NOT NULL,
      created_position bigint NOT NULL,
      PRIMARY KEY (namespace, name))`);
    await queryRunner.query(
      `INSERT INTO read.repository_names (namespace, name, repository_id, created_position)
       SELECT namespace, name, repository_id, 0 FROM read.repositories`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.repository_names`);
  }
}
