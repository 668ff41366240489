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

/** Who left which organization (or a team of it), and when: their earlier tokens there are void. */
export class CreateMembershipRevocations1732400030400 implements MigrationInterface {
  name = 'CreateMembershipRevocations1732400030400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE tokens.membership_revocations (
      username text NOT NULL,
      namespace text NOT NULL,
      revoked_at timestamptz NOT NULL,
      PRIMARY KEY (username, namespace))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tokens.membership_revocations`);
  }
}

/** When an organization's permissions last narrowed: every user's earlier token there is void. */
export class CreateNamespaceRevocations1732400031000 implements MigrationInterface {
  name = 'CreateNamespaceRevocations1732400031000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE tokens.namespace_revocations (namespace text PRIMARY KEY, revoked_at timestamptz NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE tokens.namespace_revocations`);
  }
}
