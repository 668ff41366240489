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

/**
 * Every namespace name a user or an organization holds, one table for both: a name is taken once,
 * by whichever claimed it first, in the transaction that records the claim. Existing users are
 * claimed from their streams.
 */
export class CreateNamespaceClaims1732400030300 implements MigrationInterface {
  name = 'CreateNamespaceClaims1732400030300';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE accounts.namespace_claims (name text PRIMARY KEY, kind text NOT NULL)`);
    await queryRunner.query(
      `INSERT INTO accounts.namespace_claims (name, kind)
       SELECT DISTINCT substr(stream_id, 6), 'user' FROM accounts.events WHERE stream_id LIKE 'user-%'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE accounts.namespace_claims`);
  }
}
