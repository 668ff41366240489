import { MigrationInterface, QueryRunner } from 'typeorm';

/** read.users gets the auditor role beside admin (both folded from RoleGranted / RoleRevoked). */
export class AddUserRoles1732400010000 implements MigrationInterface {
  name = 'AddUserRoles1732400010000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE read.users ADD COLUMN IF NOT EXISTS auditor boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE read.users DROP COLUMN auditor`);
  }
}
