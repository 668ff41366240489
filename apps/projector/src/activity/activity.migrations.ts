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

/**
 * `read.activity_inbox`: activity messages delivered to the counts and not folded yet
 * (activity-inbox.ts). One row per message id, so a redelivery adds nothing while the row waits; a
 * row leaves in the transaction that folds it.
 */
export class CreateActivityInbox1732400030600 implements MigrationInterface {
  name = 'CreateActivityInbox1732400030600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.activity_inbox (
      message_id text PRIMARY KEY,
      activity jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await queryRunner.query(`CREATE INDEX activity_inbox_received ON read.activity_inbox (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.activity_inbox`);
  }
}
