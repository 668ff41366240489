import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The repositories this service has heard of, from `RepositoryCreated`/`RepositoryDeleted`: the
 * images service decides alone whether a repository is live, without asking another service.
 */
export class CreateKnownRepositories1732400004000 implements MigrationInterface {
  name = 'CreateKnownRepositories1732400004000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE images.known_repositories (repository_id uuid PRIMARY KEY, full_name text NOT NULL, deleted boolean NOT NULL DEFAULT false)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE images.known_repositories`);
  }
}
