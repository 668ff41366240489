import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `read.audit_inbox`: events received by the audit and not yet in the feed (audit-inbox.ts). One row
 * per stream version, so a redelivery adds nothing; a row leaves in the transaction that puts its
 * entry in the feed.
 */
export class CreateAuditInbox1732400030400 implements MigrationInterface {
  name = 'CreateAuditInbox1732400030400';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.audit_inbox (
      stream_id text NOT NULL,
      stream_version integer NOT NULL,
      event jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY (stream_id, stream_version)
    )`);
    await queryRunner.query(`CREATE INDEX audit_inbox_received ON read.audit_inbox (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.audit_inbox`);
  }
}

/**
 * `read.audit_activity_inbox`: activity messages (a gateway's batch of pulls, pushes and logins)
 * received by the audit and not yet in the feed. One row per message id, so a redelivery adds
 * nothing while the row waits; its activities keep their own ids, by which the feed skips any it
 * already holds.
 */
export class CreateAuditActivityInbox1732400030500 implements MigrationInterface {
  name = 'CreateAuditActivityInbox1732400030500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.audit_activity_inbox (
      message_id text PRIMARY KEY,
      activities jsonb NOT NULL,
      received_at timestamptz NOT NULL DEFAULT clock_timestamp()
    )`);
    await queryRunner.query(`CREATE INDEX audit_activity_inbox_received ON read.audit_activity_inbox (received_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.audit_activity_inbox`);
  }
}

/**
 * The activity inbox keeps its messages as the text they were written as (`json`, not `jsonb`): a
 * gateway writes each pull's activity with its keys in canonical order, and the audit hashes it
 * read back. `jsonb` gave the keys back in its own order (by length first), so every pull of a
 * busy hub, which goes through this inbox, was re-sorted key by key before its hash (`--cpu-prof`
 * of the standalone hub under full pull load: canonical JSON 5.8 % of its thread, 3.3 % now).
 * Nothing queries inside the column.
 */
export class AuditActivityInboxKeepsText1732400030800 implements MigrationInterface {
  name = 'AuditActivityInboxKeepsText1732400030800';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE read.audit_activity_inbox ALTER COLUMN activities TYPE json USING activities::json`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE read.audit_activity_inbox ALTER COLUMN activities TYPE jsonb USING activities::jsonb`);
  }
}
