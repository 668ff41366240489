import { MigrationInterface, QueryRunner } from 'typeorm';

/** The signing key, and the facts that void tokens: deleted repositories, changed passwords. */
export class CreateTokenTables1732400005000 implements MigrationInterface {
  name = 'CreateTokenTables1732400005000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE tokens.signing_key (id int PRIMARY KEY, key text NOT NULL)`);
    await queryRunner.query(`CREATE TABLE tokens.deleted_repositories (repository_id uuid PRIMARY KEY)`);
    await queryRunner.query(
      `CREATE TABLE tokens.user_credentials (username text PRIMARY KEY, credentials_version int NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tokens.user_credentials, tokens.deleted_repositories, tokens.signing_key`);
  }
}
