import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which user was served which namespace's copy of an image (its layer), and when first: a
 * non-`library` copy is mounted into a pusher's namespace only if the pusher fetched that very copy.
 * One row per (username, namespace, image_id): the primary key makes redelivery harmless.
 */
export class CreateImageFetches1732400013100 implements MigrationInterface {
  name = 'CreateImageFetches1732400013100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.image_fetches (
      username text NOT NULL,
      namespace text NOT NULL,
      image_id text NOT NULL,
      first_at timestamptz NOT NULL,
      PRIMARY KEY (username, namespace, image_id))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read.image_fetches`);
  }
}
