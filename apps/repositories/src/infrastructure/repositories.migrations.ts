import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which repository currently holds a name. Written in the same transaction as RepositoryCreated
 * (insert) and RepositoryDeleted (delete), so two creates of one name cannot both succeed.
 */
export class CreateNameClaims1732400003000 implements MigrationInterface {
  name = 'CreateNameClaims1732400003000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE repositories.name_claims (full_name text PRIMARY KEY, repository_id uuid NOT NULL UNIQUE)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE repositories.name_claims`);
  }
}
