import { MigrationInterface, QueryRunner } from 'typeorm';

/** Which activity ids were counted (dedupe of the at-least-once activity topic). */
export class CreateCountedActivity1732400008000 implements MigrationInterface {
  name = 'CreateCountedActivity1732400008000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.counted_activity (activity_id uuid PRIMARY KEY, at timestamptz NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.counted_activity`);
  }
}
