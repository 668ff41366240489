import { MigrationInterface, QueryRunner } from 'typeorm';

/** Image json, layer and checksum per image id (the registry's read side). */
export class CreateImageMetadata1732400007000 implements MigrationInterface {
  name = 'CreateImageMetadata1732400007000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read.images (
      image_id text PRIMARY KEY,
      parent text,
      json text NOT NULL,
      blob_key text,
      size bigint,
      checksum text,
      payload_checksum text,
      complete boolean NOT NULL DEFAULT false)`);
    // Which repositories hold an image: registry reads are authorised through them.
    await queryRunner.query(`CREATE INDEX repository_images_by_image ON read.repository_images (image_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX read.repository_images_by_image`);
    await queryRunner.query(`DROP TABLE read.images`);
  }
}
