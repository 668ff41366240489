import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a consumer keeps beside its checkpoints (`StreamConsumer`): the hash of the last applied
 * event of each stream (so events read back from their owner to repair a gap must chain onto it),
 * and the dead-letter table of events it parked, with the event and why.
 */
export function consumerMigrations(schema: string): (new () => MigrationInterface)[] {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const s = schema;
  class CreateParkedEvents1732400020000 implements MigrationInterface {
    name = 'CreateParkedEvents1732400020000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`ALTER TABLE ${s}.consumer_checkpoints ADD COLUMN IF NOT EXISTS hash text`);
      await queryRunner.query(`CREATE TABLE ${s}.parked_events (
        consumer text NOT NULL,
        stream_id text NOT NULL,
        stream_version int NOT NULL,
        event jsonb NOT NULL,
        error text NOT NULL,
        held boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 0,
        parked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, stream_id, stream_version))`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE ${s}.parked_events`);
      await queryRunner.query(`ALTER TABLE ${s}.consumer_checkpoints DROP COLUMN hash`);
    }
  }
  return [CreateParkedEvents1732400020000];
}
