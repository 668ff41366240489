import { MigrationInterface, QueryRunner } from 'typeorm';

/** Read models live in schema `read`; each projection's checkpoints sit beside its rows. */
export class CreateReadModels1732400002000 implements MigrationInterface {
  name = 'CreateReadModels1732400002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS read`);
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS read.consumer_checkpoints (
      consumer text NOT NULL, stream_id text NOT NULL, stream_version int NOT NULL,
      PRIMARY KEY (consumer, stream_id))`);
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS read.users (
      username text PRIMARY KEY,
      emails text[] NOT NULL,
      active boolean NOT NULL,
      admin boolean NOT NULL DEFAULT false,
      credentials_version int NOT NULL,
      registered_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.users`);
    await queryRunner.query(`DROP TABLE read.consumer_checkpoints`);
  }
}
