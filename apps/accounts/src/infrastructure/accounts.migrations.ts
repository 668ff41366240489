import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The accounts service's own lookup table: which user holds an e-mail address. It is written in the
 * same transaction as the events that claim or add the address, so uniqueness never depends on a
 * read model that may lag.
 */
export class CreateEmailClaims1732400001000 implements MigrationInterface {
  name = 'CreateEmailClaims1732400001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE IF NOT EXISTS accounts.email_claims (email text PRIMARY KEY, username text NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE accounts.email_claims`);
  }
}
